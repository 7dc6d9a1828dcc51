"""Checking ``uniqueness`` claims: diagonal strict concavity against the stated condition.

The derived DSC condition (:func:`~symalign.verify.certificates.uniqueness_certificate`)
is compared with the stated one in the directions the claim asks for;
counterexamples are re-checked by the Sylvester test of the numeric game's
DSC matrix, and multiple equilibria by support enumeration.  Also re-checks
a point a refuted claim file states (:mod:`symalign.claims.counterexample`).
"""

from __future__ import annotations

import sympy as sp

from symalign.verify.certificates import uniqueness_certificate
from symalign.verify.population import PopulationGame
from symalign.claims.common import (InstanceResult, _compare, _cond, _fmt, _hyps, _is_zero, _neutral_values,
                                    _numeric_game_at, _solve_for, _terms, _truth)
from symalign.errors import SymalignError

__all__ = ["check_uniqueness", "recheck_uniqueness_point"]

_DSC_REF = "Rosen (1965) Thm 2/6"


def check_uniqueness(claim, inst, timeout):
    body = claim.body
    stated = inst.condition(body["condition"])
    relation, prop = body.get("relation", "iff"), body.get("property", "dsc")
    cert = uniqueness_certificate(inst.game, timeout=timeout, solve_for=_solve_for(claim, inst))
    derived = cert.condition
    eig = _terms(cert)
    how = cert.method.split("(")[-1].rstrip(")")
    base = (f"eigenvalues of -sym(J) on the tangent space ({how}): {eig}; " if eig else
            f"{cert.method}; ") + f"DSC iff {_cond(derived)}"
    if "eigenvalues" in body:
        mismatch = _eigen_mismatch(inst, body["eigenvalues"], cert)
        if mismatch:
            return InstanceResult(inst.label, "refuted", f"{base}; {mismatch}")
    hyps = _hyps(inst)
    p_if, p_only = _compare(derived, stated, hyps, relation, timeout)
    if p_only is not None and p_only.status == "refuted":
        cex = p_only.counterexample
        what = "DSC holds (so the equilibrium is unique) where the stated condition fails"
        return InstanceResult(inst.label, "refuted", f"{base}; {what}", cex, _recheck_dsc(inst, cex, stated),
                              witness=_witness(inst, cex, what))
    if p_if is not None and p_if.status == "refuted":
        cex = p_if.counterexample
        if prop == "dsc":
            return InstanceResult(inst.label, "refuted", f"{base}; the stated condition holds where DSC fails",
                                  cex, _recheck_dsc(inst, cex, stated),
                                  witness=_witness(inst, cex, "the stated condition holds where DSC fails"))
        point, several = _search_several(inst, stated, derived, hyps, cex)
        if several:
            return InstanceResult(inst.label, "refuted", f"{base}; the stated condition holds but the game has "
                                  f"several equilibria there", point, several,
                                  witness=_witness(inst, point, "several equilibria although the stated "
                                                                "condition holds"))
        return InstanceResult(inst.label, "open", f"{base}; DSC fails at {_fmt(cex)} although the stated "
                                                  "condition holds: uniqueness there is not decided by DSC")
    pending = [p for p in (p_if, p_only) if p is not None and p.status != "proved"]
    if pending:
        return InstanceResult(inst.label, "open", f"{base}; Z3: {pending[0].reason}")
    if prop == "unique" and relation != "if":
        return InstanceResult(inst.label, "open", f"{base}; the condition is sufficient for uniqueness "
                                                  "(Rosen); its necessity needs multiple equilibria beyond it")
    return InstanceResult(inst.label, "proved", f"{base}; {relation} proved ({_DSC_REF})")


def _search_several(inst, stated, derived, hyps, first, tries: int = 400, budget: int = 40):
    """A point where ``stated`` holds, DSC fails and the game has several equilibria.

    Tries the Z3 counterexample, then random exact parameter points
    (seeded) satisfying the hypotheses and the stated condition but not the
    derived DSC condition.  Returns ``(point, recheck text)`` or ``(None, '')``.
    """
    import random

    from symalign.claims.instances import _sample_value

    text = _several_equilibria(inst, first)
    if text or isinstance(inst.game, PopulationGame):
        return (first, text) if text else (None, "")
    game = inst.game
    rng = random.Random(2602)
    checked = 0
    for _ in range(tries):
        point = {}
        for spec in game.family.parameters():
            value = game.params[spec.name]
            flat = list(value) if isinstance(value, (tuple, sp.MatrixBase)) else [value]
            if not any(isinstance(x, sp.Symbol) for x in flat):
                continue
            draw = _sample_value(spec, game.n_agents, game.n_groups, False, rng)
            draw = [x for row in draw for x in row] if spec.kind == "vector" else \
                (draw if isinstance(draw, list) else [draw] * len(flat))
            point.update({x: v for x, v in zip(flat, draw) if isinstance(x, sp.Symbol)})
        if not all(_truth(h, point) is sp.true for h in hyps):
            continue
        if _truth(stated, point) is not sp.true or _truth(derived, point) is not sp.false:
            continue
        checked += 1
        text = _several_equilibria(inst, point)
        if text:
            return point, text
        if checked >= budget:
            break
    return None, ""


def _several_equilibria(inst, values) -> str:
    """Two or more exact equilibria of the numeric game at ``values`` (support enumeration), or ''.

    Each equilibrium is re-checked with :func:`symalign.core.kkt.kkt_violations`
    (exact KKT at the profile, independent of the derivation).
    """
    from symalign.core.kkt import kkt_violations
    from symalign.numeric.solve import support_enumeration

    try:
        game = _numeric_game_at(inst, values)
        eqs, _ = support_enumeration(game, max_profiles=4096)
    except SymalignError:
        return ""
    distinct = []
    for eq in eqs:
        W = sp.ImmutableMatrix(eq.weights)
        if W not in distinct and not kkt_violations(game, W):
            distinct.append(W)
    if len(distinct) < 2:
        return ""
    shown = "; ".join(str(W.tolist()) for W in distinct[:3])
    return (f"re-checked exactly: {len(distinct)} distinct equilibria of the numeric game (support enumeration, "
            f"each passing the exact KKT check): {shown}")


def _eigen_mismatch(inst, texts, cert):
    if not any(t.label.startswith("eigenvalue") for t in cert.derivation):
        return f"no closed-form eigenvalues ({cert.method}) to compare with the stated ones"
    stated = [inst.expression(t) for t in texts]
    derived = [t.value for t in cert.derivation]
    missing = [s for s in stated if not any(_is_zero(s - d) for d in derived)]
    extra = [d for d in derived if not any(_is_zero(s - d) for s in stated)]
    if missing or extra:
        return f"stated eigenvalues {stated} differ from the derived {derived}"
    return ""


def _recheck_dsc(inst, cex, stated, verdict=False):
    """Independent re-check: the Sylvester test of the numeric game's DSC matrix, and the stated condition."""
    from symalign.core.rosen import dsc_matrix, negative_definite

    try:
        n_big = isinstance(inst.game, PopulationGame) and int(cex.get(inst.game.N, 0)) > _EXPLICIT_N
        if n_big:  # too many agents to build explicitly: exact test of the two diagonal blocks
            nd, n = _population_dsc(inst, cex), int(cex[inst.game.N])
            how = (f"re-checked exactly at N = {n} on the block-diagonalised DSC matrix (blocks "
                   "A + (N-1)B and A - B of the symmetrised pseudo-Jacobian, Sylvester minors)")
        else:
            g = _numeric_game_at(inst, cex)
            nd = negative_definite(dsc_matrix(g))
            how = f"re-checked exactly on the {g.n_agents}-agent numeric game"
    except (SymalignError, ValueError) as exc:
        return (f"not re-checked ({exc})", None, None) if verdict else f"not re-checked ({exc})"
    s = _truth(stated, cex)
    nd_txt = {True: "holds", False: "fails", None: "undecided"}[nd]
    text = (f"{how}: DSC {nd_txt} "
            f"(Sylvester minors of the DSC matrix), stated condition is {s}")
    return (text, nd, s) if verdict else text


def _witness(inst, cex, what) -> str:
    """The counterexample as a game file when it completes to an admissible explicit game ('' otherwise)."""
    from symalign.claims.witness import complete_point, game_file_text

    if inst.symbolic_n:
        n = cex.get(inst.game.N)
        if n is None or int(n) > _EXPLICIT_N:
            return ""
        from symalign.claims.instances import Instance

        inst = Instance(inst.label, inst.game.instance(int(n)), inst.sampled, inst.names, inst.functions,
                        tuple(h.subs(inst.game.N, n) for h in inst.hypotheses))
        cex = {k: v for k, v in cex.items() if str(k) != "N"}
    values = complete_point(inst, cex)
    if values is None:
        return ""
    return game_file_text(inst.game.subs(values), comment=f"counterexample: {what}") or ""


_EXPLICIT_N = 12
"""Largest number of agents for which a re-check builds the explicit game."""


def _population_dsc(inst, cex):
    """DSC of the homogeneous N-agent game at ``cex`` from its two diagonal blocks (exact)."""
    from symalign.core.rosen import negative_definite, tangent_basis

    game = inst.game
    own, cross = game.check_structure()
    fill = {**_neutral_values(game.representative), **{k: v for k, v in cex.items()}}
    n = sp.Integer(int(cex[game.N]))
    A = ((own + own.T) / 2).xreplace(fill).subs(game.N, n)
    B = ((cross + cross.T) / 2).xreplace(fill).subs(game.N, n)
    T = tangent_basis(game.n_groups)
    blocks = [T.T * (A + (n - 1) * B) * T, T.T * (A - B) * T]
    verdicts = [negative_definite(sp.Matrix(b)) for b in blocks]
    return None if None in verdicts else all(verdicts)


def recheck_uniqueness_point(claim, inst, point):
    """``(text, valid)``: whether the admissible ``point`` refutes the uniqueness claim as stated."""
    stated = inst.condition(claim.body["condition"])
    relation, prop = claim.body.get("relation", "iff"), claim.body.get("property", "dsc")
    s = _truth(stated, point)
    if prop == "unique" and relation in ("if", "iff") and s is sp.true:
        several = _several_equilibria(inst, point)
        if several:
            return f"stated condition is True; {several}", True
    text, nd, s = _recheck_dsc(inst, point, stated, verdict=True)
    valid = (nd is True and s is sp.false and relation in ("iff", "only_if")) or \
        (nd is False and s is sp.true and relation in ("iff", "if") and prop == "dsc")
    return text, valid

