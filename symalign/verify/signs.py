"""Sign conditions reduced to readable relations, and checks on Z3's verdicts.

A certificate's condition is a conjunction of sign conditions on
eigenvalues or minors.  :func:`sign_condition` reduces ``expr > 0`` (or
``>= 0``) to an equivalent relation: positive numeric factors and factors
that are positive on the domain (such as ``N - 1`` under ``N >= 2``, or
interior weights) are dropped, and the result is solved for a chosen
symbol where it enters linearly.  :func:`sign_clauses` reduces a
conjunction clause by clause, :func:`prune` drops clauses implied by the
others, :func:`relevant` keeps the hypotheses that can matter, and
:func:`cross_checked` confirms a ``"proved"`` verdict of Z3
(:func:`symalign.verify.smt.prove`) at random exact points.
"""

from __future__ import annotations

import sympy as sp

from symalign.verify.smt import Proof, prove

__all__ = [
    "sign_condition",
    "sign_clauses",
    "prune",
    "cross_checked",
    "relevant",
    "domain_keep",
]


def _domain_sign(f, domain, timeout):
    """+1 / -1 when ``f`` has that sign everywhere on the domain, else None."""
    if f.is_positive:
        return 1
    if f.is_negative:
        return -1
    for sign, rel in ((1, f > 0), (-1, f < 0)):
        if prove(domain, rel, timeout=timeout).status == "proved":
            return sign
    return None


def sign_condition(expr, *, strict: bool, domain_symbols=frozenset(), domain=(), timeout: float = 2.0,
                   solve_for=None, positive=()):
    """``expr > 0`` (or ``>= 0``) reduced to an equivalent relation.

    Positive numeric factors are dropped; so are factors depending only on
    ``domain_symbols`` that are positive (or negative, flipping the sign)
    wherever ``domain`` holds, e.g. ``N - 1`` under ``N >= 2``.  With
    ``solve_for`` the result is solved for that symbol when it enters
    linearly with a numeric coefficient.  Factors in ``positive`` (known
    positive from earlier clauses of a conjunction) are dropped too.

    Examples
    --------
    >>> N = sp.Symbol("N", integer=True, positive=True)
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> sign_condition(b - g / (N - 1), strict=True, domain_symbols={N}, domain=[N >= 2], solve_for=g)
    gamma < beta*(N - 1)
    >>> x = sp.Symbol("x", real=True)
    >>> sign_condition(6 * x**3, strict=False)
    x >= 0
    >>> sign_condition(6 * b, strict=False)      # decided by beta's assumption
    True
    """
    expr = sp.cancel(sp.together(sp.sympify(expr, strict=True)))
    if expr.is_number:
        return sp.true if (expr > 0 if strict else expr >= 0) else sp.false
    num, den = sp.fraction(expr)
    sign, keep, zeros = 1, [], []
    for part in (num, den):
        coeff, factors = sp.factor_list(part)
        sign *= 1 if coeff > 0 else -1
        for f, e in factors:
            if f.is_positive or f.is_negative:
                sign *= (1 if f.is_positive else -1) ** e
                continue
            if f in positive or -f in positive:
                sign *= (1 if f in positive else -1) ** e
                continue
            if f.free_symbols <= set(domain_symbols):
                s = _domain_sign(f, list(domain), timeout)
                if s is not None:
                    sign *= s ** e
                    continue
            if e % 2 == 0:
                zeros.append(f)
            else:
                keep.append(f)
    g = sign * sp.Mul(*keep)
    rel = _solved(g, strict, solve_for, set(domain_symbols), list(domain), timeout)
    if not zeros:
        return rel
    if strict:
        return sp.And(rel, *[sp.Ne(f, 0) for f in zeros])
    return sp.Or(rel, *[sp.Eq(f, 0) for f in zeros])


def sign_clauses(exprs, *, strict, domain_symbols, domain, solve_for, timeout=2.0):
    """Conjunction of ``e > 0`` (or ``>= 0``), each reduced given the earlier ones (pivot-like)."""
    clauses, positive = [], set()
    for e in exprs:
        rel = sign_condition(e, strict=strict, domain_symbols=domain_symbols, domain=domain,
                             solve_for=solve_for, positive=tuple(positive), timeout=timeout)
        clauses.append(rel)
        if strict and isinstance(rel, sp.StrictGreaterThan) and rel.rhs == 0:
            positive.update(f for f, _ in sp.factor_list(rel.lhs)[1])
        elif strict and isinstance(rel, sp.StrictLessThan) and rel.free_symbols:
            positive.update(f for f, _ in sp.factor_list(rel.rhs - rel.lhs)[1])
    return clauses


def _solved(g, strict, solve_for, domain_symbols=frozenset(), domain=(), timeout=2.0):
    if g.as_coeff_Mul()[0].is_negative:
        rel = (-g < 0) if strict else (-g <= 0)
    else:
        rel = (g > 0) if strict else (g >= 0)
    if solve_for is None or rel in (sp.true, sp.false):
        return rel
    if not isinstance(solve_for, sp.Basic):  # a collection: the first one present
        solve_for = next((s for s in solve_for if g.has(s)), None)
        if solve_for is None:
            return rel
    if not g.has(solve_for):
        return rel
    g = sp.expand(g)
    c = g.coeff(solve_for)
    rest = sp.expand(g - c * solve_for)
    if rest.has(solve_for) or c == 0:
        return rel
    if c.is_number:
        c_sign = 1 if c > 0 else -1
    elif c.free_symbols <= domain_symbols:
        c_sign = _domain_sign(c, domain, timeout)
    else:
        c_sign = None
    if c_sign is None:
        return rel
    bound = sp.factor(sp.cancel(-rest / c))
    if c_sign > 0:
        return solve_for > bound if strict else solve_for >= bound
    return solve_for < bound if strict else solve_for <= bound


def prune(clauses, domain, timeout=2.0):
    """Drop duplicates and clauses implied by the others, the domain and the symbols' sign assumptions."""
    out = []
    for c in clauses:
        if c is sp.true or c in out:
            continue
        out.append(c)
    if sp.false in out:
        return [sp.false]
    k = 0
    while k < len(out):
        others = out[:k] + out[k + 1:]
        if prove(list(others) + list(domain), out[k], timeout=timeout).status == "proved":
            out.pop(k)
        else:
            k += 1
    return out


def _sample_value(sym, rng):
    if sym.is_integer:
        return sp.Integer(rng.randint(2 if sym.is_positive else -8, 8))
    v = sp.Rational(rng.randint(0, 96), rng.randint(1, 16))
    if sym.is_positive:
        return v + sp.Rational(1, 17)
    return v if sym.is_nonnegative else v * rng.choice((-1, 1))


def cross_checked(proof: Proof, samples: int = 40, seed: int = 1965) -> Proof:
    """Confirm a ``"proved"`` verdict at random exact points (Z3's nonlinear arithmetic has had bugs).

    A sampled point satisfying the hypotheses where the conclusion is false
    turns the verdict into ``"unknown"`` (with the point in the reason);
    other verdicts are returned unchanged.

    Examples
    --------
    >>> x = sp.Symbol("x", positive=True)
    >>> cross_checked(prove([], x + 1 > 0)).status
    'proved'
    """
    if proof.status != "proved":
        return proof
    import random

    rng = random.Random(seed)
    syms = sorted(set().union(*[h.free_symbols for h in proof.hypotheses], proof.conclusion.free_symbols),
                  key=sp.default_sort_key)
    for _ in range(samples):
        point = {s: _sample_value(s, rng) for s in syms}
        try:
            if not all(h.xreplace(point) is sp.true for h in proof.hypotheses):
                continue
            if proof.conclusion.xreplace(point) is sp.false:
                return Proof("unknown", proof.hypotheses, proof.conclusion, None,
                             f"Z3 said proved but the conclusion fails at {point}", proof.seconds)
        except (TypeError, ZeroDivisionError):
            continue
    return proof


def relevant(hyps, condition):
    """The hypotheses connected to the condition through shared symbols (others cannot matter)."""
    syms, chosen, changed = set(condition.free_symbols), [], True
    rest = list(hyps)
    while changed:
        changed = False
        for h in list(rest):
            if h.free_symbols & syms:
                chosen.append(h)
                rest.remove(h)
                syms |= h.free_symbols
                changed = True
    return tuple(h for h in hyps if h in chosen)


def domain_keep(domain):
    """The symbols the domain facts constrain (empty for no domain)."""
    return frozenset().union(*[d.free_symbols for d in domain]) if domain else frozenset()
