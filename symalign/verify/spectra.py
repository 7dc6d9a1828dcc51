"""Spectra of matrices on the tangent space of the simplex, in closed form.

The Rosen conditions of :mod:`symalign.verify.certificates` are read from
the eigenvalues of a matrix restricted to the tangent space
``{v : sum_d v_d = 0}``.  :func:`compression` gives that restriction in the
basis ``e_d - e_D``; :func:`spectrum` returns its eigenvalues when the
characteristic polynomial splits into linear factors over the rationals
(found by factorisation, not guessed).  Homogeneous games have block
structure ``I_N (x) A + (J_N - I_N) (x) B`` (:func:`block_blocks`); an
orthogonal change of basis in the agent index turns it into
``diag(A + (N-1) B, A - B, ..., A - B)``, so :func:`block_spectrum` needs
only the two reduced blocks, also for a symbolic number of agents ``N``.

References
----------
J. B. Rosen, "Existence and uniqueness of equilibrium points for concave
n-person games", Econometrica 33(3):520-534, 1965.
"""

from __future__ import annotations

import sympy as sp

from symalign.errors import InputError
from symalign.core.rosen import charpoly_coefficients as _charpoly, tangent_basis

__all__ = [
    "compression",
    "gram_inverse",
    "spectrum",
    "block_blocks",
    "block_spectrum",
]

_LAM = sp.Dummy("lambda")


def compression(X, n_groups: int, n_agents: int = 1) -> sp.Matrix:
    """Matrix of ``P X P`` on the tangent space in the basis ``e_d - e_D``.

    Its eigenvalues are those of ``Q^T X Q`` for an orthonormal basis ``Q``
    of the tangent space: ``(B^T B)^{-1} B^T X B`` is similar to it.

    Examples
    --------
    >>> compression(sp.eye(3) * 2, 3)
    Matrix([
    [2, 0],
    [0, 2]])
    """
    B = sp.diag(*[tangent_basis(n_groups)] * n_agents)
    G = B.T * B
    return (G.inv() * B.T * sp.Matrix(X) * B).applyfunc(sp.cancel)


def gram_inverse(n_groups: int, n_agents: int = 1) -> sp.Matrix:
    """Inverse Gram matrix ``(B^T B)^{-1}`` of the tangent basis ``e_d - e_D`` (per agent).

    Examples
    --------
    >>> gram_inverse(2)
    Matrix([[1/2]])
    """
    B = sp.diag(*[tangent_basis(n_groups)] * n_agents)
    return (B.T * B).inv()


def spectrum(C, *, max_size: int = 8):
    """Eigenvalues with multiplicities, when the characteristic polynomial splits.

    The characteristic polynomial is factored over the rationals (with the
    parameters as further variables); when every factor is linear in the
    eigenvalue the roots are returned, else None.

    Returns
    -------
    tuple of (Expr, int) or None

    Examples
    --------
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> spectrum(sp.Matrix([[b, g], [g, b]]))
    ((beta - gamma, 1), (beta + gamma, 1))
    >>> spectrum(sp.Matrix([[1, 1], [1, 0]])) is None      # irrational eigenvalues
    True
    """
    C = sp.Matrix(C)
    if C.rows != C.cols:
        raise InputError("C", C.shape, "must be square")
    if C.rows > max_size or not _splits_at_a_point(C):
        return None
    coeffs = _charpoly(C)
    poly = sp.Add(*[c * _LAM ** (C.rows - k) for k, c in enumerate(coeffs)])
    num = sp.fraction(sp.cancel(sp.together(poly)))[0]
    _, factors = sp.factor_list(sp.expand(num))
    roots: dict = {}
    for f, e in factors:
        if not f.has(_LAM):
            continue
        if sp.degree(f, _LAM) != 1:
            return None
        c1, c0 = sp.Poly(f, _LAM).all_coeffs()
        r = _readable(sp.cancel(-c0 / c1))
        roots[r] = roots.get(r, 0) + e
    if sum(roots.values()) != C.rows:
        return None
    return tuple(sorted(roots.items(), key=lambda t: sp.default_sort_key(t[0])))


def _splits_at_a_point(C) -> bool:
    """Cheap necessary test: at a random rational point the characteristic polynomial splits over Q.

    Roots that are rational functions of the parameters stay rational
    after specialisation, so a non-splitting specialisation rules out a
    closed form (and skips an expensive multivariate factorisation).
    """
    free = sorted(C.free_symbols, key=sp.default_sort_key)
    if not free:
        return True
    import random

    rng = random.Random(1965)
    for _ in range(3):
        point = {s: sp.Rational(rng.randint(7, 97), rng.randint(5, 53)) for s in free}
        X = C.xreplace(point)
        if any(not x.is_finite for x in X):
            continue
        poly = sp.Poly(_charpoly(X), _LAM)
        return all(sp.degree(f, _LAM) <= 1 for f, _ in poly.factor_list()[1])
    return True


def _readable(r):
    """The shortest of a few equivalent forms of a rational function."""
    forms = [sp.factor(r), sp.expand(r)]
    forms += [sp.apart(r, s) for s in sorted(sp.fraction(r)[1].free_symbols, key=sp.default_sort_key)]
    return min(forms, key=lambda f: (sp.count_ops(f), sp.default_sort_key(f)))


def block_blocks(M, n_agents: int):
    """``(A, B)`` when ``M = I_N (x) A + (J_N - I_N) (x) B``, else None (conservative).

    Examples
    --------
    >>> M = sp.Matrix([[2, 1], [1, 2]])
    >>> block_blocks(M, 2)
    (Matrix([[2]]), Matrix([[1]]))
    """
    M = sp.Matrix(M)
    if M.rows != M.cols or M.rows % n_agents:
        return None
    k = M.rows // n_agents

    def blk(i, j):
        return M[i * k:(i + 1) * k, j * k:(j + 1) * k]

    A = blk(0, 0)
    B = blk(0, 1) if n_agents > 1 else sp.zeros(k, k)
    for i in range(n_agents):
        for j in range(n_agents):
            diff = blk(i, j) - (A if i == j else B)
            if any(sp.cancel(x) != 0 for x in diff):
                return None
    return A, B


def block_spectrum(A, B, n_agents):
    """Eigenvalues of ``I_N (x) A + (J_N - I_N) (x) B`` from the reduced blocks.

    With ``U`` orthogonal and ``U^T J_N U = diag(N, 0, ..., 0)``,
    ``(U (x) I)^T M (U (x) I) = diag(A + (N-1) B, A - B, ..., A - B)``; the
    spectra of the two reduced blocks are computed by :func:`spectrum`.
    ``n_agents`` may be a symbol.  Returns None when a reduced block's
    characteristic polynomial does not split.

    Examples
    --------
    >>> N = sp.Symbol("N", integer=True, positive=True)
    >>> b, g = sp.symbols("beta gamma", positive=True)
    >>> block_spectrum(sp.Matrix([[b]]), sp.Matrix([[g / (N - 1)]]), N)
    ((beta + gamma, 1), (beta - gamma/(N - 1), N - 1))
    """
    plus = spectrum(sp.Matrix(A) + (n_agents - 1) * sp.Matrix(B))
    minus = spectrum(sp.Matrix(A) - sp.Matrix(B))
    if plus is None or minus is None:
        return None
    return tuple(plus) + tuple((lam, m * (n_agents - 1)) for lam, m in minus)
