"""Scalar, loop-based Python versions of the numeric steps, written to be read.

These functions use only numbers, lists, loops and arithmetic, so
:func:`symalign.export.latex.code_latex` (latexify-py) can render their source as
LaTeX for a write-up that shows the code computing an equilibrium.  They
are not the fast path (:mod:`symalign.numeric.simplex`, :mod:`symalign.numeric.solvers`,
:mod:`symalign.numeric.compile` are) and they are independent of it: the tests
compare them with the vectorised projection and with the derived closed
forms.  Indices are 0-based, as in Python.

The overlap closed form (:func:`overlap_interior_weight`) is the homogeneous
interior equilibrium of the reconstructed family (``shared/model.md``, T3):
``Wbar_d = (beta pbar_d + gamma/D + alpha cbar_d)/(beta + gamma)`` and
``w_{i,d} = Wbar_d + (alpha (c_{i,d} - cbar_d) + beta (p_{i,d} - pbar_d))/(beta - gamma/(N-1))``
with ``c_i`` the centred attractiveness.  It is valid when every weight is
positive; the test suite checks it against :func:`symalign.derive_on_support`.

Examples
--------
>>> simplex_projection([0.5, 0.7, -0.2], 3)
[0.4, 0.6, 0]
>>> w = overlap_interior_profile(1, 2, 1, [[0.3, 0.2, 0.1], [0.1, 0.2, 0.3]], [[1/3] * 3] * 2, 2, 3)
>>> [round(x, 6) for x in w[0]]
[0.433333, 0.333333, 0.233333]
"""

from __future__ import annotations

__all__ = [
    "descending",
    "simplex_projection",
    "mean_of_others",
    "best_response_overlap",
    "centred",
    "population_mean",
    "overlap_interior_weight",
    "overlap_interior_profile",
]


def descending(v):
    """The entries of ``v`` sorted from largest to smallest."""
    return sorted(v, reverse=True)


def simplex_projection(v, D):
    """Euclidean projection of ``v`` (length ``D``) onto the simplex, sort-based.

    The threshold ``tau`` is set by the largest ``k`` with
    ``u_k - (u_0 + ... + u_k - 1)/(k + 1) > 0``, ``u`` sorted descending.
    """
    u = descending(v)
    total = 0
    tau = 0
    for k in range(D):
        total = total + u[k]
        if u[k] - (total - 1) / (k + 1) > 0:
            tau = (total - 1) / (k + 1)
    return [max(v[d] - tau, 0) for d in range(D)]


def mean_of_others(W, i, N, D):
    """``m_i``: the mean of the other agents' mixtures."""
    return [(sum(W[j][d] for j in range(N)) - W[i][d]) / (N - 1) for d in range(D)]


def best_response_overlap(alpha, beta, gamma, a, p, m, D):
    """Best response of one agent in the overlap family (T1): project the unconstrained maximiser."""
    x = [(alpha * a[d] + beta * p[d] - gamma * m[d]) / beta for d in range(D)]
    return simplex_projection(x, D)


def centred(x, D):
    """``x`` minus the mean of its entries."""
    return [x[d] - sum(x[k] for k in range(D)) / D for d in range(D)]


def population_mean(x, N, D):
    """Mean over agents of the rows of ``x`` (an ``N`` x ``D`` list of lists)."""
    return [sum(x[i][d] for i in range(N)) / N for d in range(D)]


def overlap_interior_weight(alpha, beta, gamma, N, D, c, c_bar, p, p_bar):
    """One entry ``w_{i,d}`` of the homogeneous interior equilibrium of the overlap family."""
    W_bar = (beta * p_bar + gamma / D + alpha * c_bar) / (beta + gamma)
    return W_bar + (alpha * (c - c_bar) + beta * (p - p_bar)) / (beta - gamma / (N - 1))


def overlap_interior_profile(alpha, beta, gamma, a, p, N, D):
    """The whole homogeneous interior profile from attractiveness ``a`` and priors ``p``."""
    c = [centred(a[i], D) for i in range(N)]
    c_bar = population_mean(c, N, D)
    p_bar = population_mean(p, N, D)
    return [[overlap_interior_weight(alpha, beta, gamma, N, D, c[i][d], c_bar[d], p[i][d], p_bar[d])
             for d in range(D)] for i in range(N)]
