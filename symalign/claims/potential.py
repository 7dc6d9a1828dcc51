"""Exact and weighted potential games: a potential function as a witness of pure-equilibrium existence.

A game is a *weighted potential game* (Monderer and Shapley 1996) when a
function ``P`` of the whole profile and weights ``c_i > 0`` satisfy
``grad_{w_i} P = c_i grad_{w_i} U_i`` for every agent (``c_i = 1``: exact
potential).  Then every unilateral change of ``U_i`` is ``1/c_i`` times the
change of ``P``, so a maximiser of the continuous ``P`` over the compact
product of simplices (Weierstrass) is a pure Nash equilibrium, concave
utilities or not.

:func:`potential_witness` *detects* the structure from the pseudo-Jacobian
``J_ij = d g_i / d w_j`` (``g_i`` the own gradient): ``c_i J_ij = c_j J_ji^T``
for all ``i != j`` (symmetric for ``c = 1``), with ``c_j = J_0j / J_j0^T`` (``c_0 = 1``)
read from a nonzero entry.  It then *builds* ``P`` by the line integral
``P(w) = int_0^1 sum_i c_i <g_i(t w), w_i> dt`` (polynomial gradients only).
:func:`check_potential` is the checker: it differentiates ``P`` and
compares with every ``c_i g_i`` exactly, whatever built it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

__all__ = ["PotentialWitness", "potential_witness", "check_potential"]


@dataclass(frozen=True)
class PotentialWitness:
    """A candidate potential: ``weights`` ``c_i`` (all 1 for an exact potential) and the function ``potential``."""

    kind: str
    weights: tuple
    potential: sp.Expr


def _gradients(game):
    from symalign.core.kkt import kkt_system

    return kkt_system(game).gradients


def _block(G, W, i, j):
    D = W.cols
    return sp.Matrix(D, D, lambda k, l: sp.diff(G[i, k], W[j, l]))


def _ratio(A, B):
    """The scalar r with ``A = r B`` (None when there is none); ``(0, 0)`` gives 1."""
    r = None
    for x, y in zip(A, B):
        if y == 0 and x == 0:
            continue
        if y == 0 or x == 0:
            return None
        q = sp.cancel(x / y)
        if r is None:
            r = q
        elif sp.cancel(q - r) != 0:
            return None
    return sp.Integer(1) if r is None else r


def potential_witness(game) -> PotentialWitness | None:
    """Detect an exact or weighted potential and build it; None when the structure is not found.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "distance"), 2, 2)
    >>> w = potential_witness(g)
    >>> w.kind, check_potential(g, w)
    ('exact', True)
    """
    W = game.weights
    G = _gradients(game)
    if not all(g.is_polynomial(*W) for g in G):
        return None
    n = W.rows
    c = [sp.Integer(1)] + [None] * (n - 1)
    for j in range(1, n):
        r = _ratio(_block(G, W, 0, j), _block(G, W, j, 0).T)
        if r is None:
            return None
        if r == 0:
            return None
        c[j] = sp.cancel(r)  # c_0 J_0j = c_j J_j0^T with c_0 = 1
    for i in range(n):
        for j in range(i + 1, n):
            lhs, rhs = c[i] * _block(G, W, i, j), c[j] * _block(G, W, j, i).T
            if any(sp.cancel(x) != 0 for x in (lhs - rhs)):
                return None
    t = sp.Dummy("t", real=True)
    scaled = {W[i, d]: t * W[i, d] for i in range(n) for d in range(W.cols)}
    integrand = sp.expand(sum(c[i] * G[i, d].xreplace(scaled) * W[i, d] for i in range(n) for d in range(W.cols)))
    P = sp.expand(sp.integrate(integrand, (t, 0, 1)))
    kind = "exact" if all(x == 1 for x in c) else "weighted"
    return PotentialWitness(kind, tuple(c), P)


def check_potential(game, witness: PotentialWitness) -> bool:
    """The checker: ``dP/dw_{i,d} = c_i g_{i,d}`` exactly for every agent and group (no tolerance)."""
    from symalign.claims.common import _is_zero

    W = game.weights
    G = _gradients(game)
    if len(witness.weights) != W.rows:
        return False
    # P changes by c_i times the change of U_i along agent i's own moves only if c_i is constant along them
    if any(sp.sympify(c, strict=True).free_symbols & set(W.row(i)) for i, c in enumerate(witness.weights)):
        return False
    return all(_is_zero(sp.diff(witness.potential, W[i, d]) - witness.weights[i] * G[i, d])
               for i in range(W.rows) for d in range(W.cols))
