"""The frozen result of a derivation: an equilibrium and what it rests on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symalign.core.params import substitution

__all__ = ["Equilibrium", "condition_truth", "json_truth"]


def condition_truth(conditions) -> bool | None:
    """True/False when every condition is decided (numeric), None otherwise."""
    undecided = False
    for c in conditions:
        if c is sp.true or c is True:
            continue
        if c is sp.false or c is False:
            return False
        undecided = True
    return None if undecided else True


def json_truth(condition):
    """A condition for JSON: a real boolean when decided, its text otherwise (never the string ``"True"``).

    Examples
    --------
    >>> import sympy as sp
    >>> json_truth(sp.true), json_truth(sp.Integer(1) < 2), json_truth(sp.Symbol("x") > 0)
    (True, True, 'x > 0')
    """
    c = sp.sympify(condition, strict=True)
    if c in (sp.true, sp.false):
        return bool(c)
    return str(c)


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A Nash equilibrium (or a candidate on a support) with its certificate data.

    Attributes
    ----------
    game : Game
    weights : ImmutableMatrix
        N x D equilibrium profile; exact SymPy numbers or closed forms when
        ``exact``, floats otherwise.
    support : tuple of tuple of int
        For each agent, the groups it gives positive weight (0-based).
    multipliers : tuple
        ``lambda_i``: each agent's equilibrium marginal utility.
    conditions : tuple
        Validity conditions: ``w_{i,d} > 0`` on the support and
        ``lambda_i - g_{i,d} >= 0`` off it.  Where they hold (and the
        family's hypotheses hold) the profile is an equilibrium with this
        support.
    hypotheses : tuple
        The family's concavity hypotheses (KKT is sufficient under them).
    exact : bool
        Whether ``weights`` are exact (derived) rather than numeric.
    method : str
        How it was obtained.
    residual : float or None
        KKT residual measured by the independent numeric checker.
    notes : tuple of str
    slack : ImmutableMatrix or None
        N x D matrix of ``lambda_i - g_{i,d}`` at the solution: zero on the
        support, the margin by which group d is unattractive to agent i off it.
    concavity : str or None
        Own-concavity of the game (:func:`symalign.core.concavity.own_concavity`):
        ``"proved"``, ``"refuted"``, ``"unknown"``; None when not checked
        (symbolic derivations: see the existence certificate).
    deviation_gain : float or None
        Largest gain of a unilateral deviation found by the independent
        numeric route (:mod:`symalign.numeric.deviation`); None when not checked.
    deviation_method : str
        How the deviation was searched (local ascent when concavity is
        proved, multi-start global search otherwise).
    isolated : bool or None
        False when the equilibrium lies in a continuum of equilibria (a
        singular KKT system on its support), None when not known.
    structure : StructuredForm or None
        The closed form as derived, with named intermediate quantities
        (:mod:`symalign.core.structured`); ``weights``, ``multipliers``,
        ``conditions`` and ``slack`` are its expansion.  Set by symbolic
        derivations through the aggregate; compile and LaTeX use it.
    certificate : Verdict or None
        The independent checker's verdict on this profile
        (:func:`symalign.certify.check_equilibrium`, attached by the layers
        that report equilibria); None when not checked.
    """

    game: object
    weights: sp.ImmutableMatrix
    support: tuple
    multipliers: tuple = ()
    conditions: tuple = ()
    hypotheses: tuple = ()
    exact: bool = True
    method: str = ""
    residual: float | None = None
    notes: tuple = ()
    slack: sp.ImmutableMatrix | None = None
    concavity: str | None = None
    deviation_gain: float | None = None
    deviation_method: str = ""
    isolated: bool | None = None
    structure: object = None
    certificate: object = None

    @property
    def certified(self) -> bool:
        """True only when the independent checker accepted the profile (:attr:`certificate`).

        This is what ``exact`` means in JSON and CLI output: the weights are
        exact and every agent's best response was re-checked exactly (exact
        regret 0, or exact KKT with an own-concavity certificate, or the exact
        maximum over the faces of the simplex).  A KKT point without it is a
        candidate.
        """
        return getattr(self.certificate, "status", None) == "accepted"

    @property
    def valid(self) -> bool | None:
        """Whether the validity conditions hold (None when they depend on symbols)."""
        return condition_truth(self.conditions)

    def as_array(self) -> np.ndarray:
        """Weights as a float array (requires numeric weights)."""
        return np.array(self.weights.evalf(17).tolist(), dtype=float)

    def excluded_groups(self) -> tuple:
        """Indices of groups given zero weight by every agent."""
        return tuple(
            d for d in range(self.game.n_groups) if all(d not in s for s in self.support)
        )

    def subs(self, values) -> "Equilibrium":
        """Substitute parameter values into the closed form and its conditions.

        ``values`` as in :meth:`symalign.core.game.Game.subs` (strings are parsed, never evaluated).
        """
        from symalign.core.uservalues import user_substitution

        symbols = set(self.game.free_symbols())
        for x in list(self.weights) + list(self.conditions):
            symbols |= getattr(x, "free_symbols", set())
        values = user_substitution(values, symbols, "values")
        game = self.game.subs(values)
        sub = substitution(values)
        return Equilibrium(
            game,
            sp.ImmutableMatrix(self.weights.applyfunc(sub)),
            self.support,
            tuple(sub(m) for m in self.multipliers),
            tuple(sub(c) for c in self.conditions),
            tuple(sub(h) for h in self.hypotheses),
            self.exact,
            self.method,
            None,
            self.notes,
            None if self.slack is None else sp.ImmutableMatrix(self.slack.applyfunc(sub)),
            self.concavity if not self.game.free_symbols() else None,
            None,
            "",
            self.isolated,
            None if self.structure is None else self.structure.subs(sub),
        )

    def to_dict(self) -> dict:
        """JSON-ready summary (weights as floats, exact values as strings)."""
        out = {
            "weights": self.as_array().tolist() if self.game.is_numeric else None,
            "support": [[self.game.groups[d] for d in s] for s in self.support],
            "exact": self.certified,
            "exact_weights": self.exact,
            "concavity": self.concavity,
            "deviation_gain": self.deviation_gain,
            "deviation_method": self.deviation_method or None,
            "isolated": self.isolated,
            "notes": list(self.notes),
            "excluded_groups": [self.game.groups[d] for d in self.excluded_groups()],
            "method": self.method,
        }
        if self.exact:
            out["weights_exact"] = [[str(x) for x in self.weights.row(i)] for i in range(self.weights.rows)]
        if self.residual is not None:
            out["kkt_residual"] = self.residual
        if self.certificate is not None:
            out["certificate"] = self.certificate.to_dict()
        if self.structure is not None:
            st = self.structure
            out["structured"] = {
                "definitions": [[sym.name, str(expr)] for sym, expr in st.definitions],
                "weights": [[str(x) for x in st.weights.row(i)] for i in range(st.weights.rows)],
            }
        return out

    def _repr_latex_(self) -> str:
        from symalign.core.printing import weights_latex

        return "$$" + weights_latex(self) + "$$"

    def _repr_html_(self) -> str:
        import html

        return '<div class="symalign">' + html.escape(self._repr_latex_()) + "</div>"

    def __repr__(self) -> str:
        kind = "exact" if self.exact else "numeric"
        if self.concavity not in (None, "proved"):
            kind += f", concavity {self.concavity}"
        return f"Equilibrium({self.game!r}, support={self.support}, {kind}, method={self.method!r})"
