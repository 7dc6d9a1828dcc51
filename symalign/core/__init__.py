"""Core layer: game -> derived equilibrium.

Games and their parameters (:mod:`~symalign.core.game`, :mod:`~symalign.core.params`),
the safe expression language (:mod:`~symalign.core.expr`), utility families
(:mod:`~symalign.core.families`), KKT systems (:mod:`~symalign.core.kkt`), exact
linear elimination (:mod:`~symalign.core.linear`), derivations on a support
(:mod:`~symalign.core.derive`, with the aggregate fast path and the symbolic-N
mean-field route), equilibria (:mod:`~symalign.core.equilibrium`), Rosen's
matrices (:mod:`~symalign.core.rosen`) and the LaTeX printer every layer uses
(:mod:`~symalign.core.printing`). Imports nothing above it.
"""
