"""Claims: statements in files checked by the toolkit.

:mod:`~symalign.claims.schema` (loading claim files safely) and the checks by claim
kind (:mod:`~symalign.claims.checks` dispatches to them).
"""
