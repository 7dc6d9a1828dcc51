"""Verification layer: certificates (:mod:`~symalign.verify.certificates`, built on
:mod:`~symalign.verify.spectra`, :mod:`~symalign.verify.signs` and
:mod:`~symalign.verify.population`), the three-valued Z3 bridge (:mod:`~symalign.verify.smt`)
and Hypothesis strategies (:mod:`~symalign.verify.strategies`, with
:mod:`~symalign.verify.rational_points` and :mod:`~symalign.verify.matrix_games`).
"""
