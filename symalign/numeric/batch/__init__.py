"""Batched equilibria of one game structure over many parameter points.

:mod:`~symalign.numeric.batch.compiled` (``compile_game``, the entry point),
:mod:`~symalign.numeric.batch.result` (``BatchResult``, the stage names),
:mod:`~symalign.numeric.batch.arguments` (argument order, batch arrays, per-point checks),
:mod:`~symalign.numeric.batch.closedform` (compiled support closed forms),
:mod:`~symalign.numeric.batch.activeset` (vectorised active-set repair),
:mod:`~symalign.numeric.batch.iterative` (batched extragradient fallback),
:mod:`~symalign.numeric.batch.identify` (support identification on top of it),
:mod:`~symalign.numeric.batch.supports` (exact solves on given supports),
:mod:`~symalign.numeric.batch.fused`, :mod:`~symalign.numeric.batch.interior`,
:mod:`~symalign.numeric.batch.supportblock` and
:mod:`~symalign.numeric.batch.kernel` (the fused compiled kernels, numba, optional extra ``fast``).
"""
