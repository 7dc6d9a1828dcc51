"""Checking ``existence`` claims: concavity of every agent in its own strategy.

The existence certificate (:func:`~symalign.verify.certificates.existence_certificate`)
must follow from the stated condition; a counterexample is re-checked on the
numeric game by the eigenvalues of the own Hessian on the tangent space.
"""

from __future__ import annotations

import numpy as np

from symalign.verify.certificates import existence_certificate
from symalign.verify.spectra import compression
from symalign.claims.common import InstanceResult, _cond, _full_hessian, _numeric_game_at, _solve_for, _terms
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
        return InstanceResult(inst.label, "proved", f"{base}; stated condition implies it; pure NE exists "
                                                    f"by {cert.reference.split(',')[0]} Thm 1")
    if cert.status == "refuted":
        cex = cert.counterexample
        return InstanceResult(inst.label, "refuted", f"{base}; stated condition does not imply it",
                              cex, _recheck_concavity(inst, cex))
    return InstanceResult(inst.label, "open", f"{base}; Z3: {cert.proof.reason if cert.proof else 'unknown'}")


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
