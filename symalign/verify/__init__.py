"""Verification layer: certificates (:mod:`~symalign.verify.certificates`), the three-valued
Z3 bridge (:mod:`~symalign.verify.smt`) and Hypothesis strategies (:mod:`~symalign.verify.strategies`).
"""
