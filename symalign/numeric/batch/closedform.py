"""Compiled closed forms: derived equilibria on a support, evaluated over batches.

A closed form (weights and validity conditions of
:func:`symalign.core.derive.derive_on_support`) is compiled once through the one
symbolic-to-numeric bridge, :func:`symalign.numeric.compile.compile_expressions`,
in one of two layouts:

``"polynomial-matrix"``
    When every weight and condition is a ratio of polynomials in the
    arguments over a few distinct denominators and the numerators share a
    moderate set of monomials (the usual case when a handful of incentive
    parameters are symbolic), the monomials and inverse denominators are
    compiled, and the numerators are one matrix product
    ``monomials @ C`` (C holds the exact coefficients rounded to float).
``"lambdify"``
    Otherwise the expressions themselves are compiled (cse on by default).

Both layouts return the same numbers up to rounding (tested).  The
derivation itself can run in a child process under a time limit
(:func:`derive_closed_forms`), since exact derivations can take minutes
for large games.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import sympy as sp

from symalign.core.derive import derive_on_support, normalise_support
from symalign.core.structured import expand_definitions
from symalign.errors import BudgetExceeded, DerivationError
from symalign.numeric.compile import compile_expressions

__all__ = ["ClosedForm", "compile_closed_form", "derive_closed_forms", "relation_parts"]

_MAX_MONOMIALS = 256
_MAX_CHARS = 200_000
_MAX_ARGS = 8  # beyond this, cancel() + Poly on every expression costs more than the layout saves


def relation_parts(rel):
    """``(expr, kind)`` with ``kind`` in {"gt", "ge", "eq"} meaning ``expr > 0`` etc.

    ``True`` gives ``None``; ``False`` gives ``(-1, "gt")`` (never holds).

    Examples
    --------
    >>> x = sp.Symbol("x")
    >>> relation_parts(x < 2), relation_parts(sp.Eq(x, 1))
    ((2 - x, 'gt'), (x - 1, 'eq'))
    """
    if rel is sp.true or rel is True:
        return None
    if rel is sp.false or rel is False:
        return sp.Integer(-1), "gt"
    if isinstance(rel, sp.StrictGreaterThan):
        return rel.lhs - rel.rhs, "gt"
    if isinstance(rel, sp.GreaterThan):
        return rel.lhs - rel.rhs, "ge"
    if isinstance(rel, sp.StrictLessThan):
        return rel.rhs - rel.lhs, "gt"
    if isinstance(rel, sp.LessThan):
        return rel.rhs - rel.lhs, "ge"
    if isinstance(rel, sp.Equality):
        return rel.lhs - rel.rhs, "eq"
    raise DerivationError(f"cannot evaluate the condition {rel} numerically (not a relation)")


def flatten_conditions(conditions) -> list:
    """Split ``And`` into its relations."""
    out = []
    for c in conditions:
        out.extend(c.args if isinstance(c, sp.And) else [c])
    return out


@dataclass(frozen=True, eq=False)
class ClosedForm:
    """A compiled closed form on one support.

    ``evaluate(params) -> (W, valid)`` with ``W`` of shape (m, N, D) and
    ``valid`` the validity conditions (all of them) at each of the m points.
    """

    support: tuple
    mask: np.ndarray
    layout: str
    _fn: object
    _coef: np.ndarray | None
    _den_cols: tuple
    _cond_cols: np.ndarray
    _cond_strict: np.ndarray
    _n_cols: int

    def values(self, params, out=None) -> np.ndarray:
        """(m, columns): the weights (row-major) then extra condition expressions."""
        m = np.broadcast_shapes(*(np.shape(p) for p in params)) if params else ()
        m = m[0] if m else 1
        vals = self._fn(*params)
        if out is None or out.shape != (m, self._n_cols):
            out = np.empty((m, self._n_cols))
        if self.layout == "polynomial-matrix":
            k = self._coef.shape[0]
            mono = np.empty((m, k))
            for j in range(k):
                mono[:, j] = vals[j]
            np.matmul(mono, self._coef, out=out)
            for g, cols in enumerate(self._den_cols):
                inv = np.broadcast_to(vals[k + g], (m,))[:, None]
                if isinstance(cols, slice):
                    out[:, cols] *= inv
                else:
                    out[:, cols] = out[:, cols] * inv
            return out
        for j, v in enumerate(vals):
            out[:, j] = v
        return out

    def evaluate(self, params, out=None):
        """``(W, valid)``; ``out`` (shape (m, N, D), C-contiguous) receives W when given."""
        n, d = self.mask.shape
        with np.errstate(all="ignore"):
            buf = out.reshape(out.shape[0], -1) if out is not None and self._n_cols == n * d else None
            vals = self.values(params, buf)
            W = vals[:, : n * d].reshape(-1, n, d)
            if out is not None and buf is None:
                out[...] = W
            # Column loops: NumPy reductions along a short last axis are slow.
            if self._all_weights_positive:
                low = vals[:, 0].copy()
                for j in range(1, n * d):
                    np.minimum(low, vals[:, j], out=low)
                valid = low > 0  # False for NaN
            else:
                valid = np.ones(vals.shape[0], bool)
                for col, strict in zip(self._cond_cols, self._cond_strict):
                    valid &= (vals[:, col] > 0) if strict else (vals[:, col] >= 0)
            top = vals[:, 0].copy()
            for j in range(1, n * d):
                np.maximum(top, vals[:, j], out=top)
            valid &= top < np.inf
        return (out if out is not None else W), valid

    @cached_property
    def _all_weights_positive(self) -> bool:
        """The conditions are exactly ``w > 0`` for every weight (the interior)."""
        nw = self.mask.size
        return (self._n_cols == nw and self._cond_cols.size == nw and bool(self._cond_strict.all())
                and np.array_equal(np.sort(self._cond_cols), np.arange(nw)))


def compile_closed_form(game, support, weights, conditions, args, *, cse: bool = True, layout: str = "auto",
                        definitions=()) -> ClosedForm:
    """Compile derived weights (N*D expressions) and validity conditions.

    ``layout`` is "auto" (polynomial-matrix when it applies), or forces
    "lambdify" / "polynomial-matrix".  ``definitions``: named intermediates
    the weights and conditions use (``Equilibrium.structure``), compiled as
    local assignments (lambdify layout).
    """
    n, d = game.n_agents, game.n_groups
    if definitions and (layout == "polynomial-matrix" or (layout == "auto" and len(args) <= _MAX_ARGS)):
        # the polynomial layout works on the expanded ratios (small when there are few arguments)
        full = expand_definitions(definitions)
        weights = [sp.sympify(w, strict=True).xreplace(full) for w in weights]
        conditions = [c.xreplace(full) for c in conditions]
        definitions = ()
    support = normalise_support(game, support)
    mask = np.zeros((n, d), bool)
    for i, s in enumerate(support):
        mask[i, list(s)] = True
    exprs = [sp.sympify(w, strict=True) for w in weights]
    cond_cols, strict = [], []
    for rel in flatten_conditions(conditions):
        parts = relation_parts(rel)
        if parts is None:
            continue
        e, kind = parts
        if kind == "eq":
            raise DerivationError(f"equality condition {rel} in a closed form")
        try:
            col = exprs.index(e)
        except ValueError:
            exprs.append(e)
            col = len(exprs) - 1
        cond_cols.append(col)
        strict.append(kind == "gt")
    cond_cols = np.array(cond_cols, dtype=int)
    strict = np.array(strict, dtype=bool)
    poly = None
    if layout in ("auto", "polynomial-matrix") and not definitions:
        poly = _polynomial_layout(exprs, args, cse)
        if poly is None and layout == "polynomial-matrix":
            raise DerivationError("the closed form is not a ratio of polynomials with few monomials")
    if poly is not None:
        fn, coef, den_cols = poly
        return ClosedForm(support, mask, "polynomial-matrix", fn, coef, den_cols, cond_cols, strict, len(exprs))
    fn = compile_expressions(exprs, args, cse=cse, definitions=definitions)
    return ClosedForm(support, mask, "lambdify", fn, None, (), cond_cols, strict, len(exprs))


def _polynomial_layout(exprs, args, cse):
    if not args or len(args) > _MAX_ARGS or sum(len(str(e)) for e in exprs) > _MAX_CHARS:
        return None
    nums, dens = [], {}
    try:
        for e in exprs:
            num, den = sp.fraction(sp.cancel(e))
            pn = sp.Poly(num, *args, domain="QQ")
            pd = sp.Poly(den, *args, domain="QQ")
            lc = pd.LC()
            pn, pd = pn.mul_ground(1 / lc), pd.mul_ground(1 / lc)
            key = pd.as_expr()
            dens.setdefault(key, []).append(len(nums))
            nums.append(pn)
    except (sp.PolynomialError, sp.polys.polyerrors.PolificationFailed, sp.polys.polyerrors.CoercionFailed,
            sp.polys.polyerrors.GeneratorsError):
        return None
    monos = sorted({m for pn in nums for m in pn.monoms()})
    if len(monos) > _MAX_MONOMIALS or len(dens) > max(8, len(exprs) // 4):
        return None
    index = {m: k for k, m in enumerate(monos)}
    coef = np.zeros((len(monos), len(exprs)))
    for j, pn in enumerate(nums):
        for m, c in pn.terms():
            coef[index[m], j] = float(c)
    mono_exprs = [sp.Mul(*(a**p for a, p in zip(args, m))) for m in monos]
    den_cols, inv_exprs = [], []
    for key, cols in dens.items():
        if key == 1:
            continue
        inv_exprs.append(1 / key)
        den_cols.append(slice(None) if len(cols) == len(exprs) else np.array(cols))
    fn = compile_expressions(mono_exprs + inv_exprs, args, cse=cse)
    return fn, coef, tuple(den_cols)


def _parts(eq) -> tuple:
    """``(weights, conditions, definitions)`` of a derivation, structured when it kept its structure."""
    st = eq.structure
    if st is None:
        return tuple(eq.weights), tuple(eq.conditions), ()
    return tuple(st.weights), tuple(st.conditions), st.definitions


def _child(game, supports, conn):  # pragma: no cover - runs in the child process
    for s in supports:
        try:
            eq = derive_on_support(game, s)
            conn.send(("ok", s, _parts(eq)))
        except DerivationError as exc:
            conn.send(("error", s, str(exc)))
    conn.close()


def derive_closed_forms(game, supports, *, timeout: float | None):
    """Derive closed forms on several supports; ``timeout`` seconds in total may only *stop* the work.

    Returns ``(results, seconds, notes)``; ``results[k]`` is
    ``(weights, conditions, definitions)`` or ``None`` (singular support:
    the reason is in ``notes``); ``definitions`` are the named intermediates the
    weights and conditions use (a structured closed form, see
    :mod:`symalign.core.structured`; empty when expanded).  What is derived
    never depends on the machine's load: with a timeout the derivation runs
    in a forked child process and, if it has not finished every support at
    the deadline, :class:`~symalign.errors.BudgetExceeded` is raised (never a
    partial result).  ``timeout=None`` (or a platform without ``fork``)
    derives in this process with no limit.
    """
    supports = [normalise_support(game, s) for s in supports]
    results, notes = [None] * len(supports), []
    start = time.perf_counter()
    if timeout is None or "fork" not in multiprocessing.get_all_start_methods():
        for k, s in enumerate(supports):
            try:
                results[k] = _parts(derive_on_support(game, s))
            except DerivationError as exc:
                notes.append(f"support {s}: {exc}")
        return results, time.perf_counter() - start, notes
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(game, supports, child), daemon=True)
    proc.start()
    child.close()
    deadline = start + float(timeout)
    try:
        for k, s in enumerate(supports):
            if not parent.poll(max(0.0, deadline - time.perf_counter())):
                raise BudgetExceeded(f"closed-form derivation (support {k + 1} of {len(supports)}: {s})", "time",
                                     float(timeout), "derive_timeout")
            msg = parent.recv()
            if msg[0] == "ok":
                results[k] = msg[2]
            else:
                notes.append(f"support {s}: {msg[2]}")
    except EOFError:
        raise DerivationError("the derivation process ended unexpectedly") from None
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()
        parent.close()
    return results, time.perf_counter() - start, notes
