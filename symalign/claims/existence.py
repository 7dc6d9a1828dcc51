"""Checking ``existence`` claims: "the stated condition implies that a pure equilibrium exists".

A ladder of sufficient conditions; the claim is ``proved`` by the first rung
that holds wherever the hypotheses and the stated condition hold:

1. own-concavity (the existence certificate,
   :func:`~symalign.verify.certificates.existence_certificate`): Rosen
   (1965) Thm 1 / Debreu (1952); utilities linear in own weights (finite
   games in mixed strategies) are the case Nash (1951);
2. an exact or weighted potential (:mod:`symalign.claims.potential`),
   detected from the pseudo-Jacobian, built, and checked exactly (its
   gradient equals ``c_i`` times each own gradient, ``c_i > 0`` by Z3): a
   maximiser of the potential is a pure equilibrium.

Failure of a sufficient condition proves nothing: an existence claim is
``refuted`` only by a proof that no equilibrium exists, which no rung
gives, so it is otherwise ``open`` (with the failed rungs and the point
where own-concavity fails, re-checked on the numeric game).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from symalign.verify.certificates import existence_certificate
from symalign.verify.population import PopulationGame
from symalign.verify.spectra import compression
from symalign.claims.common import (InstanceResult, _cond, _full_hessian, _hyps, _implies, _numeric_game_at,
                                    _solve_for, _terms)
from symalign.errors import SymalignError

__all__ = ["check_existence"]


def check_existence(claim, inst, timeout):
    stated = inst.condition(claim.body["condition"])
    cert = existence_certificate(inst.game, assuming=tuple(inst.hypotheses) + (stated,), timeout=timeout,
                                 family_hypotheses=False, solve_for=_solve_for(claim, inst))
    eig = _terms(cert)
    base = (f"eigenvalues of -H_i on the tangent space: {eig}; " if eig else f"{cert.method}; ") + \
        (f"concave in own strategy iff {_cond(cert.condition)}" if cert.exact else
         f"strictly concave if {_cond(cert.condition)}")
    if cert.status == "proved":
        ref = cert.reference.split(',')[0]
        if eig and all(t.value == 0 for t in cert.derivation if t.label.startswith("eigenvalue")):
            ref += "; utilities linear in own weights: Nash (1951)"
        return InstanceResult(inst.label, "proved", f"{base}; stated condition implies it; pure NE exists "
                                                    f"by {ref} Thm 1")
    rung2 = _potential_rung(inst, stated, timeout)
    if rung2.status == "proved":
        return InstanceResult(inst.label, "proved", f"{base}: own-concavity is not implied ({cert.status}), "
                                                    f"but {rung2.detail}")
    if cert.status == "refuted":
        cex = cert.counterexample
        return InstanceResult(inst.label, "open", f"{base}; the stated condition does not imply own-concavity "
                              f"(a sufficient condition only; {rung2.detail}); no proof that no equilibrium "
                              "exists, so the claim is not refuted", cex, _recheck_concavity(inst, cex))
    why = cert.proof.reason if cert.proof else "unknown"
    return InstanceResult(inst.label, "open", f"{base}; Z3: {why}; {rung2.detail}")


def _potential_rung(inst, stated, timeout) -> InstanceResult:
    """Rung 2: a weighted potential, checked exactly; ``proved`` or ``open`` with the reason."""
    from symalign.claims.potential import check_potential, potential_witness

    if isinstance(inst.game, PopulationGame):
        return InstanceResult(inst.label, "open", "no potential sought for a symbolic number of agents")
    try:
        witness = potential_witness(inst.game)
    except (SymalignError, ValueError, TypeError, NotImplementedError) as exc:
        return InstanceResult(inst.label, "open", f"no potential found ({type(exc).__name__}: {exc})")
    if witness is None:
        return InstanceResult(inst.label, "open", "not an exact or weighted potential game (the pseudo-Jacobian "
                                                  "is not symmetric up to positive agent weights)")
    if not check_potential(inst.game, witness):
        return InstanceResult(inst.label, "open", "a candidate potential failed the exact gradient check "
                                                  "(rejected witness)")
    weights = [c for c in witness.weights if c != 1]
    if weights:
        p = _implies(_hyps(inst) + (stated,), sp.true, sp.And(*[c > 0 for c in weights]), timeout)
        if not p.proved:
            return InstanceResult(inst.label, "open", f"potential weights {list(witness.weights)} not shown "
                                                      f"positive (Z3: {p.status})")
    shown = sp.factor(witness.potential) if len(str(witness.potential)) < 300 else "(long; see the witness)"
    return InstanceResult(inst.label, "proved",
                          f"{witness.kind} potential game: P = {shown}, with agent weights "
                          f"{[str(c) for c in witness.weights]}, checked exactly (dP/dw_i = c_i dU_i/dw_i "
                          "for every agent); a maximiser of P over the compact product of simplices is a pure "
                          "NE (Monderer and Shapley 1996)")


def _recheck_concavity(inst, cex):
    """Independent re-check: eigenvalues (numpy) of the numeric own Hessian on the tangent space."""
    try:
        g = _numeric_game_at(inst, cex)
    except SymalignError as exc:
        return f"not re-checked ({exc})"
    bad = []
    for i in range(g.n_agents):
        H = _full_hessian(g, i)
        if H.free_symbols:
            return "re-checked by exact substitution only (the Hessian depends on the weights)"
        X = np.array(compression(H, g.n_groups).tolist(), dtype=float)
        if max(np.linalg.eigvals(X).real) > 1e-12:
            bad.append(i + 1)
    return (f"re-checked on the numeric game: own Hessian has a positive eigenvalue on the tangent space "
            f"for agent(s) {bad}" if bad else "re-check FAILED: the numeric own Hessians are negative semidefinite")
