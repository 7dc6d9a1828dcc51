"""Games with a symbolic number of agents ``N`` (:class:`PopulationGame`).

A homogeneous active-alignment game depends on the other agents only
through their mean, so its pseudo-Jacobian is block structured,
``I_N (x) A + (J_N - I_N) (x) B``, with blocks read off the two-agent game
and rescaled by ``N - 1``.  The certificates of
:mod:`symalign.verify.certificates` reduce such a game by its blocks
(:func:`symalign.verify.spectra.block_spectrum`), so the derived condition
holds for every ``N >= 2`` at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from symalign.errors import DerivationError, InputError
from symalign.core.rosen import pseudo_jacobian

__all__ = ["PopulationGame"]


@dataclass(frozen=True, eq=False)
class PopulationGame:
    """A homogeneous game with a symbolic number of agents ``N``.

    Agents share alpha, beta, gamma; each utility depends on the others
    only through their mean ``m_i`` (the active-alignment families).  The
    two-agent game (where ``m_1 = w_2``) gives ``d g_i / d w_i`` and
    ``d g_i / d m_i``; for N agents ``d g_i / d w_j = (d g_i / d m_i) / (N - 1)``.
    :meth:`check_structure` confirms this against explicit games.

    Examples
    --------
    >>> from symalign import get_family
    >>> from symalign.verify.certificates import uniqueness_certificate
    >>> pg = PopulationGame.create(get_family("active_alignment", "distance"), 3)
    >>> c = uniqueness_certificate(pg)
    >>> sorted(str(t.value) for t in c.derivation)
    ['beta', 'beta - gamma - gamma/(N - 1)']
    >>> c.condition
    gamma < beta*(N - 1)/N
    """

    family: object
    groups: tuple
    N: sp.Symbol
    representative: object
    values: MappingProxyType

    @classmethod
    def create(cls, family, groups, *, N=None, **values):
        from symalign.core.game import Game

        N = sp.Symbol("N", integer=True, positive=True) if N is None else N
        if not (isinstance(N, sp.Symbol) and N.is_integer):
            raise InputError("N", N, "must be a Symbol assumed integer")
        rep = Game.symbolic(family, 2, groups, homogeneous=True, **values)
        return cls(family, rep.groups, N, rep, MappingProxyType(dict(values)))

    @property
    def n_groups(self) -> int:
        return len(self.groups)

    def instance(self, n: int):
        """The explicit game with ``n`` agents and the same parameter symbols."""
        from symalign.core.game import Game

        return Game.symbolic(self.family, n, self.groups, homogeneous=True, **self.values)

    def hypotheses(self) -> tuple:
        return tuple(self.representative.hypotheses()) + (self.N >= 2,)

    def parameter_constraints(self) -> tuple:
        scalars = self.scalar_symbols()
        return tuple(c for c in self.representative.parameter_constraints() if c.free_symbols <= scalars)

    def scalar_symbols(self) -> frozenset:
        """Symbols of the per-agent scalar parameters (shared by all agents)."""
        out = set()
        for spec in self.family.parameters():
            if spec.kind in ("agent", "scalar"):
                v = self.representative.param(spec.name, 0)
                out |= sp.sympify(v, strict=True).free_symbols
        return frozenset(out)

    def jacobian_blocks(self, matrix_of=pseudo_jacobian):
        """``(d g_i/d w_i, d g_i/d w_j)`` as D x D matrices, functions of ``N``.

        ``matrix_of`` maps a game to the Jacobian of a stacked per-agent map
        with respect to the whole profile: by default the pseudo-gradient
        (:func:`symalign.core.rosen.pseudo_jacobian`); any map whose agent ``i``
        part depends on the others only through their mean has the same
        block structure (e.g. the interior best response).
        """
        J = matrix_of(self.representative)
        D = self.n_groups
        own, cross = J[:D, :D], J[:D, D:]
        if set().union(*[x.free_symbols for x in J]) & set(self.representative.weights):
            raise DerivationError(f"family {self.family.label!r}: the Jacobian depends on the "
                                  "weights; a symbolic number of agents needs affine gradients")
        return sp.Matrix(own), sp.Matrix(cross) / (self.N - 1)

    def check_structure(self, n: int = 3, matrix_of=pseudo_jacobian):
        """The blocks of :meth:`jacobian_blocks`, confirmed against the explicit n-agent game.

        Raises DerivationError unless ``matrix_of(self.instance(n))`` is
        ``I_n (x) own + (J_n - I_n) (x) cross`` at ``N = n``.
        """
        own, cross = self.jacobian_blocks(matrix_of)
        J = matrix_of(self.instance(n))
        expect = sp.kronecker_product(sp.eye(n), own) + \
            sp.kronecker_product(sp.ones(n) - sp.eye(n), cross.subs(self.N, n))
        if any(sp.cancel(x) != 0 for x in (J - expect)):
            raise DerivationError(f"family {self.family.label!r}: agent i's map does not depend on the others "
                                  f"only through their mean (checked at N = {n})")
        return own, cross

    def __repr__(self):
        return f"PopulationGame({self.family.label}, N={self.N}, groups={list(self.groups)})"
