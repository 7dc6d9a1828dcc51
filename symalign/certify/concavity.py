"""Own-concavity of a game (numeric or symbolic) whose own Hessians are rational constants, decided exactly.

Agent ``i``'s own Hessian is constant and rational when every term of its
utility of degree 2 in ``w_i`` is a rational multiple of ``w_{i,d} w_{i,e}``
and no term has degree > 2 in ``w_i``; the other terms may hold symbols.
Concavity on the simplex is then ``-Z^T H Z`` positive semidefinite
(:func:`symalign.certify.quadratic.own_concave`), whatever the parameters.

Examples
--------
>>> from symalign import Game
>>> from symalign.core.families.custom import CustomFamily
>>> from symalign.core.params import ParamSpec
>>> fam = CustomFamily("w[0]*w[1] - c*sum(w[d]*m[d], d)", (ParamSpec("c", "agent", "positive"),))
>>> v = check_own_concavity(Game.symbolic(fam, 2, 3))
>>> v.status, v.reason
('rejected', "agent 1's own Hessian is constant and not negative semidefinite on the simplex")
>>> check_own_concavity(Game.create(CustomFamily("-sum(w[d]**2, d)"), 2, 3)).status
'accepted'
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symalign.certify.exact import fraction
from symalign.certify.quadratic import own_concave
from symalign.certify.verdict import Verdict, accepted, candidate, rejected

__all__ = ["own_hessian", "check_own_concavity"]

CHECK = "own-concavity"


def own_hessian(game, i):
    """Agent ``i``'s own Hessian as Fractions when it is a rational constant, else a reason string."""
    W, D = game.weights, game.n_groups
    own = {W[i, d]: d for d in range(D)}
    H = [[Fraction(0)] * D for _ in range(D)]
    for term in sp.Add.make_args(sp.expand(game.utility(i))):
        coeff, rest = term.as_coeff_Mul()
        idx, other = [], sp.Integer(1)
        for base, e in ([] if rest == 1 else rest.as_powers_dict().items()):
            if base in own and getattr(e, "is_Integer", False) and e > 0:
                idx += [own[base]] * int(e)
            elif base.free_symbols & set(own):
                return f"agent {i + 1}'s utility is not polynomial in its own weights ({term})"
            else:
                other *= base ** e
        if len(idx) > 2:
            return f"agent {i + 1}'s utility has degree {len(idx)} > 2 in its own weights"
        if len(idx) == 2:
            c = fraction(coeff) if other == 1 else None
            if c is None:
                return f"agent {i + 1}'s own Hessian is not a rational constant ({term})"
            d, e = idx
            H[d][e] += c if d != e else 2 * c
            if d != e:
                H[e][d] += c
    return H


def check_own_concavity(game) -> Verdict:
    """Accepted when every agent's own Hessian is a rational constant, NSD on the simplex's tangent space;
    rejected when one is a rational constant that is not; candidate otherwise (symbolic or non-quadratic)."""
    for i in range(game.n_agents):
        H = own_hessian(game, i)
        if isinstance(H, str):
            return candidate(CHECK, H)
        if not own_concave(H):
            return rejected(CHECK, f"agent {i + 1}'s own Hessian is constant and not negative semidefinite "
                                   "on the simplex")
    return accepted(CHECK, "every own Hessian is constant and negative semidefinite on the simplex (exact LDL^T)")
