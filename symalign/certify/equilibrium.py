"""Is a profile an equilibrium of a numeric game?  The checker's answer, decided exactly or left open.

:func:`check_equilibrium` takes the game (its family, parameters and
utilities as data) and the witness weights, and re-checks them without any
solver or derivation route:

* the weights must be exact rationals on the simplex (else *candidate*, or
  *rejected* when off the simplex);
* polymatrix / bimatrix games: exact regret 0 (:mod:`symalign.certify.finite`);
* other games: each agent's utility, the others fixed at the witness, must
  be a polynomial of degree <= 2 in its own weights with rational
  coefficients; its best response is then checked exactly
  (:mod:`symalign.certify.quadratic`: KKT with an own-concavity certificate,
  or the exact maximum over the faces of the simplex).  Anything else is a
  *candidate*: a KKT point is not called an equilibrium without a proof.

Examples
--------
>>> from symalign import Game, get_family
>>> import sympy as sp
>>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"],
...                 alpha=1, beta=1, gamma="1/2", a=[[1, 0], [0, 1]], p=[0.5, 0.5])
>>> check_equilibrium(g, sp.Matrix([[1, 0], [0, 1]])).status
'accepted'
>>> v = check_equilibrium(g, sp.Matrix([[0, 1], [1, 0]]))
>>> v.status, v.gain
('rejected', Fraction(9, 16))
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache

import sympy as sp

from symalign.certify.exact import fraction
from symalign.certify.finite import polymatrix_regret
from symalign.certify.profile import exact_profile
from symalign.certify.quadratic import MAX_FACE_GROUPS, best_response_gain
from symalign.certify.verdict import Verdict, accepted, candidate, rejected

__all__ = ["check_equilibrium", "own_quadratic", "utility_terms", "MAX_CELLS"]

MAX_CELLS = 100
"""Largest N * D for which utilities are read from their SymPy expressions (about 0.5 s per agent at
N * D = 250); larger non-polymatrix games get a *candidate* verdict."""


@lru_cache(maxsize=32)
def utility_terms(game) -> tuple:
    """Each agent's utility as polynomial terms ``(coefficient, {index in vec(W): exponent})``, read off the
    game's expanded utility expressions; an agent's entry is a reason string when its utility is not a
    polynomial in the weights with rational coefficients (logarithms, symbols)."""
    W, D = game.weights, game.n_groups
    index = {W[i, d]: i * D + d for i in range(game.n_agents) for d in range(D)}
    out = []
    for i in range(game.n_agents):
        terms = []
        for term in sp.Add.make_args(sp.expand(game.utility(i))):
            coeff, rest = term.as_coeff_Mul()
            c, powers = fraction(coeff), {}
            for base, e in ([] if rest == 1 else rest.as_powers_dict().items()):
                if base not in index or not (getattr(e, "is_Integer", False) and e > 0):
                    c = None
                    break
                powers[index[base]] = int(e)
            if c is None:
                terms = f"agent {i + 1}'s utility has a term {term} that is not a rational monomial in the weights"
                break
            terms.append((c, powers))
        out.append(terms if isinstance(terms, str) else tuple(terms))
    return tuple(out)


def own_quadratic(game, rows, i):
    """``(b, H)`` of agent ``i``'s utility with the others fixed at ``rows``, or a reason string when it is
    not a rational quadratic in own weights (``u = const + b.x + x^T H x / 2``)."""
    terms = utility_terms(game)[i]
    if isinstance(terms, str):
        return terms
    D = game.n_groups
    values = [x for row in rows for x in row]
    b, H = [Fraction(0)] * D, [[Fraction(0)] * D for _ in range(D)]
    for coeff, monom in terms:
        c, own = coeff, []
        for k, e in monom.items():
            if k // D == i:
                own += [k % D] * e
            else:
                c *= values[k] ** e
        if not c:
            continue
        if len(own) > 2:
            return f"agent {i + 1}'s utility has degree {len(own)} > 2 in its own weights"
        if len(own) == 1:
            b[own[0]] += c
        elif len(own) == 2:
            d, e = own
            H[d][e] += c
            H[e][d] += c
    return b, H


def check_equilibrium(game, weights) -> Verdict:
    """The checker's verdict on ``weights`` (N x D) as an equilibrium of the numeric ``game``."""
    if game.free_symbols():
        return candidate("game", "the game has symbolic parameters: not checked")
    rows, problem = exact_profile(weights)
    if rows is None:
        return candidate("profile", problem + ": exact check not available")
    if len(rows) != game.n_agents or any(len(r) != game.n_groups for r in rows):
        return rejected("profile", f"weights are {len(rows)} x {len(rows[0]) if rows else 0}, "
                                   f"the game is {game.n_agents} x {game.n_groups}")
    if problem:
        return rejected("profile", problem)
    if game.family.name == "polymatrix":
        return polymatrix_regret(game.param("A"), rows)
    if game.n_agents * game.n_groups > MAX_CELLS:
        return candidate("size", f"N x D = {game.n_agents} x {game.n_groups} > {MAX_CELLS} cells: "
                                 "not checked exactly (the utilities are too large to read)")
    checks = set()
    for i in range(game.n_agents):
        q = own_quadratic(game, rows, i)
        if isinstance(q, str):
            return candidate("quadratic", q)
        gain, better, how = best_response_gain(*q, rows[i])
        checks.add(how)
        if gain is None:
            return candidate(how, f"agent {i + 1}: KKT holds but own-concavity is not certified and "
                                  f"D = {game.n_groups} > {MAX_FACE_GROUPS} faces are not enumerated")
        if gain < 0:
            return rejected(how, f"agent {i + 1}: the KKT conditions fail (a better response exists)")
        if gain > 0:
            shown = "(" + ", ".join(str(x) for x in better) + ")"
            return rejected(how, f"agent {i + 1} gains {gain} by deviating to {shown}", gain=gain,
                            deviation=(i + 1, better))
    return accepted("+".join(sorted(checks)), "every agent's best response is its witness weights "
                    "(exact gain 0)", gain=Fraction(0))
