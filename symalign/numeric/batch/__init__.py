"""Batched equilibria of one game structure over many parameter points.

:mod:`~symalign.numeric.batch.compiled` (``compile_game``, the entry point),
:mod:`~symalign.numeric.batch.arguments` (argument order, batch arrays, per-point checks),
:mod:`~symalign.numeric.batch.closedform` (compiled support closed forms),
:mod:`~symalign.numeric.batch.activeset` (vectorised active-set repair),
:mod:`~symalign.numeric.batch.iterative` (batched extragradient fallback).
"""
