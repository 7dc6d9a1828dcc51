"""Numeric layer: the one symbolic -> numeric bridge and everything that runs on floats.

:mod:`~symalign.numeric.compile` (lambdify with cse, refusing missing symbols),
:mod:`~symalign.numeric.simplex` (projection, softmax), :mod:`~symalign.numeric.solvers`
(independent iterative solvers), :mod:`~symalign.numeric.check` (KKT residual,
best-deviation gain), :mod:`~symalign.numeric.solve` (numeric games solved exactly)
and :mod:`~symalign.numeric.batch` (compiled closed forms over millions of points).
"""
