"""Fast numeric equilibria over batches of parameter points.

:func:`compile_game` turns a game whose remaining free symbols are the
arguments ``args`` into a :class:`CompiledGame`; calling it with one array
per argument (broadcast to shape ``(B,)``) returns a :class:`BatchResult`
with the exact (up to rounding) equilibrium of each of the B games.

Paths, chosen once at compile time (``CompiledGame.path``):

``"closed-form"``
    Affine gradients that are not aggregative (or ``path="closed-form"``): the interior
    equilibrium is derived once with :func:`symalign.core.derive.derive_on_support`
    (symbolic in ``args``) and compiled with its validity conditions.  Points
    where it is not valid go to the vectorised active-set step
    (:mod:`symalign.numeric.batch.activeset`): start from the support of the simplex
    projection of the interior solution, re-solve the KKT system on the
    support (exactly: a compiled closed form when that support was derived
    too, see ``supports``; otherwise a batched linear solve), verify KKT,
    update the support.
``"linear"``
    Affine gradients but no closed form (``path="linear"``, or the interior
    system is singular): every point goes through the active-set step,
    starting from the interior.
``"iterative"``
    Non-affine gradients (entropic variant, non-quadratic custom
    utilities): batched mirror-prox (if a gradient has a logarithm of the
    weights) or extragradient (:mod:`symalign.numeric.batch.iterative`).

``"structured"``
    Aggregative affine games (detected from the structure of the gradients,
    the default for them), no symbolic derivation: the interior closed
    form is the aggregate one (:mod:`symalign.numeric.batch.aggregate`).

The path depends only on the game and the arguments, never on the
machine's load: ``derive_timeout`` is a budget that may stop a derivation
(:class:`~symalign.errors.BudgetExceeded`), never one that changes the path.

Engines: for aggregative affine games with numba installed (extra
``fast``) every point runs through fused compiled kernels
(:mod:`~symalign.numeric.batch.interior`, :mod:`~symalign.numeric.batch.supportblock`,
:mod:`~symalign.numeric.batch.kernel`: closed form, KKT check and active set in
one loop, ``CompiledGame.fused``); ``engine="numpy"`` (or no numba) runs
the vectorised NumPy stages.  Both give the same answers (tested).

Per point the result says which stage answered (``BatchResult.stage``):
``closed-form``, ``cached-support``, ``active-set``, ``identified-support``
and ``iterative`` (the fallback when the active set cycles:
:mod:`symalign.numeric.batch.identify`), ``not-converged`` and ``hypotheses``
(the family's concavity hypotheses fail there, so a KKT point need not be
an equilibrium).  Only ``converged`` points carry weights; the others are NaN.

Argument handling (default order, the arrays of a call, per-point
parameter checks) is :mod:`symalign.numeric.batch.arguments`;
:func:`default_args` and :func:`exclusion_supports` are re-exported here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import sympy as sp

from symalign.numeric.batch.arguments import (batch_arrays, check_args, compile_domain, compile_relations,
                                              default_args, exclusion_supports, failures, holds)
from symalign.numeric.batch.activeset import active_set, natural_residual
from symalign.numeric.batch.aggregate import aggregate_structure
from symalign.numeric.batch.closedform import compile_closed_form, derive_closed_forms
from symalign.numeric.batch.fused import cross_check, fused_call, fused_supports, structured_tables
from symalign.numeric.batch.identify import iterative_stage
from symalign.numeric.batch.kernel import available as kernel_available
from symalign.numeric.batch.result import (STAGES, BatchResult, _Out, _as_slice,
                                           _AS, _CF, _CS, _HY, _ID, _IT, _NC)
from symalign.numeric.batch.supports import solve_on_supports, stack_columns
from symalign.errors import DerivationError, InputError
from symalign.core.kkt import kkt_system
from symalign.numeric.compile import compile_expressions
from symalign.numeric.simplex import project

__all__ = ["BatchResult", "CompiledGame", "compile_game", "default_args", "exclusion_supports", "STAGES"]

ENGINES = ("auto", "numpy")


@dataclass(frozen=True, eq=False)
class CompiledGame:
    """A game compiled for batches; built by :func:`compile_game`.

    Call it with one array per argument (positionally in ``args`` order, or
    by symbol name): ``compiled(alpha_values, beta_values, ...)``.
    """

    game: object
    args: tuple
    path: str
    tol: float
    verify: bool
    chunk: int
    max_iter: int
    closed_forms: tuple
    timings: MappingProxyType
    notes: tuple
    _grad: object = field(repr=False)
    _affine: tuple | None = field(repr=False)
    _domain: tuple = field(repr=False)
    _hypotheses: tuple = field(repr=False)
    _geometry: str = field(repr=False, default="euclidean")
    _fused: object = field(repr=False, default=None)
    engine: str = "auto"

    @property
    def arg_names(self) -> tuple:
        return tuple(str(a) for a in self.args)

    @property
    def fused(self) -> bool:
        """Whether calls run the fused compiled kernel (:mod:`symalign.numeric.batch.kernel`)."""
        return self.engine != "numpy" and self._fused is not None and kernel_available()

    def with_options(self, **options) -> "CompiledGame":
        """Same compiled code, other ``tol``, ``verify``, ``chunk``, ``max_iter`` or ``engine``."""
        bad = set(options) - {"tol", "verify", "chunk", "max_iter", "engine"}
        if bad:
            raise InputError("options", sorted(bad), "unknown option")
        if options.get("engine", "auto") not in ENGINES:
            raise InputError("engine", options["engine"], f"must be one of {ENGINES}")
        return replace(self, **options)

    # ------------------------------------------------------------------ input
    def _inputs(self, arrays, named) -> list:
        return batch_arrays(self.arg_names, arrays, named)

    def _check_domain(self, P, b) -> None:
        for text, bad in failures(self._domain, P, b):
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise InputError(text, {n: float(p[k]) for n, p in zip(self.arg_names, P)},
                                 f"parameter constraint violated at point {k}")

    # ----------------------------------------------------------------- solve
    def __call__(self, *arrays, fallback: str = "iterative", start=None, **named) -> BatchResult:
        """Equilibria of the batch.

        ``fallback`` is the last stage run: "iterative" (default, every stage),
        "active-set" or "none" (compiled closed forms only); points left are
        returned not converged (stage ``not-converged``).  ``start`` (B, N, D),
        optional: profiles (e.g. a neighbouring point's equilibrium) from which
        the active set and the iterative fallback start where the closed forms
        do not apply (rows with NaN keep the default start).
        """
        if fallback not in ("iterative", "active-set", "none"):
            raise InputError("fallback", fallback, 'must be "iterative", "active-set" or "none"')
        P = self._inputs(arrays, named)
        b = P[0].shape[0] if P else 1
        self._check_domain(P, b)
        n, d = self.game.n_agents, self.game.n_groups
        out = _Out(np.empty((b, n, d)), np.empty((b, n, d), bool), np.zeros(b, bool),
                   np.full(b, np.nan), np.full(b, _NC, np.int8))
        hyp = holds(self._hypotheses, P, b)
        out.stage[~hyp] = _HY
        todo = np.flatnonzero(hyp)
        W0 = None
        if start is not None:
            try:
                W0 = np.asarray(start, float)
            except (TypeError, ValueError):
                raise InputError("start", type(start).__name__, "must be an array of numbers") from None
            if W0.size != b * n * d:
                raise InputError("start", W0.shape, f"must have shape ({b}, {n}, {d}): one profile per point")
            W0 = W0.reshape(b, n, d)
        if self.fused and self.path != "iterative":
            todo = fused_call(self, P, todo, out, W0, fallback, (_CF, _AS))
        else:
            todo = self._numpy_stages(P, todo, out, W0, fallback)
        if todo.size and (fallback == "iterative" or self.path == "iterative"):
            self._iterative_stage(P, todo, out, W0)
        bad = ~out.converged
        if bad.any():
            out.weights[bad] = np.nan
            out.support[bad] = False
        return BatchResult(*out, self.path, self.arg_names)

    def _numpy_stages(self, P, todo, out, W0, fallback):
        """Closed forms, cached supports and the active set, vectorised with NumPy; the points left."""
        if self.path == "closed-form":
            todo = self._stages(self._closed_form_stage, P, todo, out)
            if len(self.closed_forms) > 1:
                todo = self._stages(self._cached_stage, P, todo, out)
        elif self.path == "structured":
            todo = self._stages(self._structured_stage, P, todo, out)
        else:
            out.weights[todo] = np.nan  # no interior guess for the active set
        if fallback == "none":
            return todo[:0]
        if W0 is not None:
            fine = np.isfinite(W0[todo]).all(axis=(1, 2))
            out.weights[todo[fine]] = W0[todo[fine]]
        if self.path != "iterative" and todo.size:
            todo = self._stages(self._active_set_stage, P, todo, out)
        return todo

    def solve_supports(self, *arrays, supports, **named):
        """KKT solutions on given supports, each checked: ``(weights, residual, ok)``.

        ``supports`` is a boolean array (B, N, D); a point is ``ok`` when the
        system on its support is nonsingular and the clipped solution has
        natural KKT residual ``<= tol`` (the same check as the active set).
        Only for affine gradients (paths "closed-form" and "linear").
        """
        if self._affine is None:
            raise InputError("supports", "given", f"needs affine gradients (path {self.path!r})")
        P = self._inputs(arrays, named)
        S = np.asarray(supports, bool)
        self._check_domain(P, S.shape[0])
        if self.fused:
            return fused_supports(self, P, S)
        W, fine = self._solve_support(P, S)
        fine &= holds(self._hypotheses, P, S.shape[0])
        Wc = np.where(fine[:, None, None] & (W > 0), W, 0.0)
        r = np.full(S.shape[0], np.inf)
        if fine.any():
            k = np.flatnonzero(fine)
            at = _as_slice(k)
            r[k] = natural_residual(Wc[at], self._gradient([p[at] for p in P], Wc[at]), S[at] & (Wc[at] > 0))
        return Wc, r, fine & (r <= self.tol)

    def _stages(self, stage_fn, P, todo, out):
        """Run ``stage_fn`` on chunks of the points ``todo``; return the points it left."""
        step = max(1, int(self.chunk))
        left = []
        for s in range(0, todo.size, step):
            k = todo[s:s + step]
            at = _as_slice(k)
            left.append(stage_fn([p[at] for p in P], k, out))
        return np.concatenate(left) if left else todo

    def _gradient(self, P, W):
        m = W.shape[0]
        return stack_columns(self._grad(*P, *W.reshape(m, -1).T), m, W.shape[1] * W.shape[2]).reshape(W.shape)

    def _accept(self, mask, sub, k, Wc, valid, out, code, written=False):
        """Store the closed-form points ``k`` (support ``mask``) that are valid (and verified)."""
        if self.verify and valid.any():
            v = np.flatnonzero(valid)
            at = _as_slice(v)
            r = natural_residual(Wc[at], self._gradient([p[at] for p in sub], Wc[at]),
                                 np.broadcast_to(mask, Wc[at].shape))
            out.residual[k[v]] = r
            valid[v] = r <= self.tol
        ok = _as_slice(k) if valid.all() else k[valid]
        if not written:
            out.weights[ok] = Wc if isinstance(ok, slice) else Wc[valid]
        out.support[ok], out.converged[ok], out.stage[ok] = mask, True, code
        return valid

    def _closed_form_stage(self, sub, k, out):
        cf = self.closed_forms[0]
        at = _as_slice(k)
        dest = out.weights[at] if isinstance(at, slice) else None  # a view: evaluate writes in place
        Wc, valid = cf.evaluate(sub, out=dest)
        valid = self._accept(cf.mask, sub, k, Wc, valid, out, _CF, written=dest is not None)
        if dest is None:
            out.weights[k[~valid]] = Wc[~valid]  # the interior solution: a starting guess for the next stages
        return k[~valid]

    def _structured_stage(self, sub, k, out):
        """Path "structured": the aggregate closed form on the full support (numeric.batch.supports)."""
        full = np.ones((self.game.n_agents, self.game.n_groups), bool)
        W, fine = self._solve_support(sub, np.broadcast_to(full, (k.size,) + full.shape))
        valid = fine & (np.where(np.isnan(W), -1.0, W) > 0).all(axis=(1, 2))
        valid = self._accept(full, sub, k, W, valid, out, _CF)
        out.weights[k[~valid]] = np.where(fine[~valid, None, None], W[~valid], np.nan)
        return k[~valid]

    def _cached_stage(self, sub, k, out):
        """For each point, the cached closed form whose zero entries the interior solution makes
        most negative; keep the points where it is valid."""
        guess = out.weights[k]
        fine = np.isfinite(guess).all(axis=(1, 2))
        forms = self.closed_forms[1:]
        off = np.array([~cf.mask for cf in forms], float).reshape(len(forms), -1)
        pick = np.where(fine, np.argmax(-np.nan_to_num(guess).reshape(k.size, -1) @ off.T, axis=1), -1)
        keep = ~fine
        for j, cf in enumerate(forms):
            sel = np.flatnonzero(pick == j)
            if sel.size:
                Wc, valid = cf.evaluate([p[sel] for p in sub])
                valid = self._accept(cf.mask, [p[sel] for p in sub], k[sel], Wc, valid, out, _CS)
                keep[sel[~valid]] = True
        return k[keep]

    def _active_set_stage(self, sub, k, out):
        n, d = self.game.n_agents, self.game.n_groups
        guess = out.weights[k]
        fine = np.isfinite(guess).all(axis=(1, 2))
        S0 = np.ones((k.size, n, d), bool)
        if fine.any():
            S0[fine] = project(guess[fine]) > 0
        solve = lambda j, Sj: self._solve_support([p[j] for p in sub], Sj)  # noqa: E731
        grad = lambda j, X: self._gradient([p[j] for p in sub], X)  # noqa: E731
        Wa, Sa, ra, done = active_set(S0, solve, grad, tol=self.tol, max_iter=4 + n * d)
        ok = k[done]
        out.weights[ok], out.support[ok], out.converged[ok] = Wa[done], Sa[done] & (Wa[done] > 0), True
        out.residual[ok], out.stage[ok] = ra[done], _AS
        return k[~done]

    def _iterative_stage(self, P, where, out, start=None):
        iterative_stage(self, P, where, out, start, (_IT, _ID))

    def _solve_support(self, P, Sk):
        """Exact solution on supports ``Sk`` (:func:`symalign.numeric.batch.supports.solve_on_supports`)."""
        return solve_on_supports(self._affine, self.closed_forms, P, Sk)


def compile_game(game, args=None, *, tol: float = 1e-10, cse: bool = True, verify: bool = True,
                 path: str = "auto", supports=(), derive_timeout: float | None = None,
                 chunk: int = 8192, max_iter: int = 20_000, layout: str = "auto", engine: str = "auto") -> CompiledGame:
    """Compile a game for fast batched equilibria.

    Parameters
    ----------
    game : Game
        Its free symbols must all be among ``args`` (e.g. ``Game.symbolic``
        with some parameters given numerically).
    args : sequence of Symbol, optional
        The arguments of the compiled function, in order; default
        :func:`default_args`.  A free symbol missing from ``args`` is an
        :class:`~symalign.errors.InputError` naming it.
    tol : float
        Natural-residual tolerance of every KKT check (default 1e-10).
    cse : bool
        Common-subexpression elimination in the generated code (default on).
    verify : bool
        Also measure the KKT residual of closed-form points (default on);
        without it, their validity conditions alone certify them.
    path : {"auto", "closed-form", "structured", "linear", "iterative"}
        "auto": "structured" for aggregative affine games; for other affine
        gradients derive the interior closed form ("closed-form"; "linear"
        when the interior system is singular); otherwise "iterative".
        "closed-form": derive the interior closed form (a failed derivation
        is an error).  "structured" (aggregative affine games only): no symbolic
        derivation; the interior closed form is the aggregate one
        (:mod:`symalign.numeric.batch.aggregate`: a D x D system for the
        aggregate), evaluated numerically.  "linear": no interior closed
        form.  "iterative": the batched iterative solver for every point,
        whatever the family.
    supports : sequence of support profiles
        More supports to derive and compile (e.g. :func:`exclusion_supports`):
        the active-set step evaluates these closed forms instead of solving.
    derive_timeout : float or None
        Budget in seconds for all derivations together (they then run in a
        child process); when it runs out :class:`~symalign.errors.BudgetExceeded`
        is raised: the budget stops the work, it never changes the path or
        drops a support.  None (default): no limit, in this process.
    chunk : int
        Points processed together (keeps temporaries in cache).
    max_iter : int
        Iteration bound of the batched iterative solvers.
    layout : {"auto", "lambdify", "polynomial-matrix"}
        How closed forms are compiled (:mod:`symalign.numeric.batch.closedform`).
    engine : {"auto", "numpy"}
        "auto": for aggregative affine games every point runs through the
        fused compiled kernel (:mod:`symalign.numeric.batch.kernel`) when numba
        is installed (``CompiledGame.fused``); "numpy": the vectorised NumPy
        stages only.  Both give the same answers (tested).

    Returns
    -------
    CompiledGame

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.symbolic(get_family("active_alignment", "overlap"), 2, ["x", "y"],
    ...                   alpha=1, beta=1, a=[[1.2, 0], [0, 0]], p=[0.5, 0.5])
    >>> f = compile_game(g)            # one argument left: gamma
    >>> f.args, f.path                 # aggregative: the structured closed form
    ((gamma,), 'structured')
    >>> r = f([0.0, 3.0])              # at gamma = 0 agent 1 drops group y
    >>> np.round(r.weights, 6).tolist()
    [[[1.0, 0.0], [0.5, 0.5]], [[0.425, 0.575], [0.725, 0.275]]]
    >>> compile_game(g, derive_timeout=1e-9).path   # a budget never changes the path
    'structured'
    >>> r.support[0].tolist(), r.stage_counts()
    ([[True, False], [True, True]], {'closed-form': 1, 'active-set': 1})
    """
    from symalign.core import validate

    validate.game(game)
    args = check_args(game, args)
    if path not in ("auto", "closed-form", "structured", "linear", "iterative"):
        raise InputError("path", path, 'must be "auto", "closed-form", "structured", "linear" or "iterative"')
    if engine not in ENGINES:
        raise InputError("engine", engine, f"must be one of {ENGINES}")
    requested = path
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol > 0):
        raise InputError("tol", tol, "must be a positive number")
    if derive_timeout is not None and not (isinstance(derive_timeout, (int, float))
                                           and not isinstance(derive_timeout, bool) and derive_timeout >= 0):
        raise InputError("derive_timeout", derive_timeout, "must be a number of seconds >= 0 or None")
    t0 = time.perf_counter()
    kkt = kkt_system(game)
    Wsym = list(game.weights)
    grads = list(kkt.gradients)
    notes, timings = [], {"derive": 0.0}
    grad_fn = compile_expressions(grads, list(args) + Wsym, cse=cse)
    domain = compile_domain(game, args, cse)
    hypotheses = compile_relations(game.hypotheses(), args, cse)
    affine, forms, path, fused = None, (), "iterative", None
    parts = kkt.affine_parts() if requested != "iterative" else None
    if parts is None and requested not in ("iterative", "auto"):
        raise InputError("path", requested, "needs gradients affine in the weights; this family needs \"iterative\"")
    geometry = "entropic" if any(g.has(sp.log) for g in grads) else "euclidean"
    if parts is not None:
        entries = [entry for row in parts for entry in row]
        c = [const for const, _ in entries]
        jac = [[coeffs.get(w, sp.Integer(0)) for w in Wsym] for _, coeffs in entries]
        base = np.array([[float(x) if x.is_number else 0.0 for x in row] for row in jac])
        slots = [(r, k) for r, row in enumerate(jac) for k, x in enumerate(row) if not x.is_number]
        m_fn = compile_expressions([jac[r][k] for r, k in slots], args, cse=cse) if slots else None
        agg = aggregate_structure(jac, game.n_agents, game.n_groups)
        agg_fn = compile_expressions(list(agg[0]) + list(agg[1]), args, cse=cse) if agg else None
        affine = (compile_expressions(c, args, cse=cse), m_fn, base, slots, agg_fn)
        path = "linear"
        if agg is not None:
            fused = structured_tables(c, agg[0], agg[1], args, cse=cse)
            if not cross_check(fused, grad_fn, game.n_agents, game.n_groups, len(args)):
                fused = None
                notes.append("the aggregate form of the gradient did not match the compiled gradient: "
                             "fused kernel and structured path not used")
        if requested == "structured" and fused is None:
            raise InputError("path", requested, "needs an aggregative game (gradients c - kappa w_i - theta T)")
        if requested == "structured" or (requested == "auto" and fused is not None):
            path = "structured"
        closed_form = requested == "closed-form" or (requested == "auto" and fused is None)
        wanted = ([None] if closed_form else []) + list(supports)
        if wanted:
            derived, secs, more = derive_closed_forms(game, wanted, timeout=derive_timeout)
            timings["derive"] = secs
            notes += more
            built = []
            for s, item in zip(wanted, derived):
                if item is not None:
                    built.append(compile_closed_form(game, s, item[0], item[1], args, cse=cse, layout=layout,
                                                     definitions=item[2]))
            if closed_form and derived[0] is not None:
                path = "closed-form"
            elif requested == "closed-form":
                raise DerivationError(f"no interior closed form: {'; '.join(more)}")
            elif closed_form:
                notes.append("no interior closed form: every point goes through the active-set step")
            forms = tuple(built)
    timings["compile"] = time.perf_counter() - t0 - timings["derive"]
    return CompiledGame(game, args, path, float(tol), bool(verify), int(chunk), int(max_iter), forms,
                        MappingProxyType(timings), tuple(notes), grad_fn, affine, domain, hypotheses, geometry, fused,
                        engine)

