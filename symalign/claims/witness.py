"""Counterexamples as real games: completed in the parameter domain, confirmed, written as game files.

A Z3 model fixes only the symbols a condition mentions; the others (and
the other entries of a prior row) must still describe an admissible game.
:func:`complete_point` fills them (neutral values, a prior row completed
to the simplex) and checks every parameter constraint and hypothesis
exactly, so a counterexample is never off the simplex.
:func:`random_points` draws admissible points (priors at vertices half of
the time, where exclusion lives) for searches outside a derivation's
validity.  :func:`game_file_text` writes a numeric game as a game file
that ``symalign solve`` reproduces.
"""

from __future__ import annotations

import random

import sympy as sp

from symalign.verify.population import PopulationGame

__all__ = ["complete_point", "admissible", "fallback_witness", "random_points", "game_file_text", "excluded_by_solver"]


def _spec_symbols(game):
    """``(spec, value)`` pairs of the game's parameters (matrices for vectors)."""
    return [(spec, game.params[spec.name]) for spec in game.family.parameters()]


def complete_point(inst, point, extra=()) -> dict | None:
    """Exact values for every free symbol of ``inst``'s game, extending ``point``.

    Symbols ``point`` leaves free get neutral values (1 when positive, 0
    otherwise); a prior row with free entries is completed so that it sums
    to one.  Returns None when the completed point violates a parameter
    constraint, the family's or the claim's hypotheses, or ``extra``.
    """
    game = inst.game
    if isinstance(game, PopulationGame):
        return None
    values = {k: sp.sympify(v, strict=True) for k, v in dict(point).items()}
    for spec, value in _spec_symbols(game):
        if spec.sign == "simplex" and isinstance(value, sp.MatrixBase):
            for i in range(value.rows):
                row = list(value.row(i))
                free = [x for x in row if not x.is_number and x not in values]
                if not free:
                    continue
                known = sp.Add(*[sp.sympify(x, strict=True).xreplace(values) for x in row if x not in free])
                rest = (sp.Integer(1) - known) / len(free)  # exact, never a float
                values.update(dict.fromkeys(free, rest))
            continue
        flat = list(value) if isinstance(value, (tuple, sp.MatrixBase)) else [value]
        for x in flat:
            for s in sp.sympify(x, strict=True).free_symbols:
                if s not in values:
                    values[s] = sp.Integer(1) if spec.sign == "positive" else sp.Integer(0)
    checks = tuple(game.parameter_constraints()) + tuple(game.hypotheses()) + tuple(inst.hypotheses) + tuple(extra)
    return values if _failing(checks, values) is None and _bad_sign(game, values) is None else None


def admissible(inst, point, extra=()):
    """``(values, None)`` as :func:`complete_point`, or ``(None, reason)`` naming the first violated constraint.

    Examples
    --------
    >>> from symalign.claims.schema import load_claim
    >>> from pathlib import Path
    >>> import symalign
    >>> root = Path(symalign.__file__).resolve().parents[1]
    >>> inst = load_claim(root / "theorems/active_alignment/T3_interior_uniqueness.toml").instances[0]
    >>> sym = {s.name: s for s in inst.game.free_symbols()}
    >>> admissible(inst, {sym["p_{1,1}"]: 2, sym["p_{1,2}"]: -1})[1]      # sums to 1, but off the simplex
    'p_{1,2} >= 0 fails (parameter sign or prior on the simplex)'
    """
    game = inst.game
    values = complete_point(inst, point, ()) if not isinstance(game, PopulationGame) else None
    if values is None and not isinstance(game, PopulationGame):
        values = _raw_completion(inst, point)
    groups = ((tuple(game.parameter_constraints()) if not isinstance(game, PopulationGame) else (),
               "parameter sign or prior on the simplex"),
              (tuple(game.hypotheses()) if not isinstance(game, PopulationGame) else (), "family hypothesis"),
              (tuple(inst.hypotheses), "claim hypothesis"), (tuple(extra), "scope"))
    values = values if values is not None else dict(point)
    bad = None if isinstance(game, PopulationGame) else _bad_sign(game, values)
    if bad is not None:
        return None, f"{bad} fails (parameter sign or prior on the simplex)"
    for relations, what in groups:
        bad = _failing(relations, values)
        if bad is not None:
            return None, f"{bad} fails ({what})"
    return values, None


def _bad_sign(game, values):
    """The first parameter entry whose value breaks its declared sign (a symbol's assumptions hide these)."""
    for spec, value in _spec_symbols(game):
        op = {"positive": ">", "nonnegative": ">=", "simplex": ">="}.get(spec.sign)
        flat = list(value) if isinstance(value, (tuple, sp.MatrixBase)) else [value]
        for x in flat if op else ():
            v = sp.sympify(x, strict=True).xreplace(values)
            if v.is_number and not (v > 0 if op == ">" else v >= 0):
                return f"{x} {op} 0"
    return None


def _raw_completion(inst, point):
    """The point with neutral values for symbols it leaves free (no prior row completed)."""
    from symalign.claims.common import _neutral_values

    return {**_neutral_values(inst.game), **{k: sp.sympify(v, strict=True) for k, v in dict(point).items()}}


def _failing(relations, values):
    """The first relation not exactly true at ``values`` (None when all hold)."""
    for rel in relations:
        try:
            r = sp.sympify(rel, strict=True).xreplace(values)
        except TypeError:  # a side is undefined there (a division by zero gives zoo): the relation does not hold
            return rel
        if r is not sp.true and r is not True:
            return rel
    return None


def random_points(inst, n: int, seed: int = 0, extra=()):
    """Up to ``n`` admissible exact points of ``inst``'s parameters (priors at vertices half of the time)."""
    game = inst.game
    if isinstance(game, PopulationGame):
        return
    rng = random.Random(seed)
    for _ in range(20 * n):
        values = {}
        for spec, value in _spec_symbols(game):
            if spec.sign == "simplex" and isinstance(value, sp.MatrixBase):
                for i in range(value.rows):
                    row = list(value.row(i))
                    if rng.random() < 0.5:
                        k = rng.randrange(len(row))
                        raw = [int(j == k) for j in range(len(row))]
                    else:
                        raw = [rng.randint(0, 6) for _ in row]
                        raw = raw if sum(raw) else [1] * len(row)
                    vals = [sp.Rational(x, sum(raw)) for x in raw]
                    values.update({x: v for x, v in zip(row, vals) if not x.is_number})
                continue
            flat = list(value) if isinstance(value, (tuple, sp.MatrixBase)) else [value]
            for x in flat:
                for s in sp.sympify(x, strict=True).free_symbols:
                    if spec.sign == "positive":
                        values[s] = sp.Rational(rng.randint(1, 12), 4)
                    elif spec.sign == "nonnegative":
                        values[s] = sp.Rational(rng.choice([0, 0, rng.randint(0, 16)]), 4)
                    else:
                        values[s] = sp.Rational(rng.choice([0, rng.randint(-8, 16)]), 2)
        done = complete_point(inst, values, extra)
        if done is not None:
            yield done
            n -= 1
            if n <= 0:
                return


def excluded_by_solver(game, d):
    """Whether group ``d`` gets zero weight from every agent, by :func:`symalign.numeric.solve.solve`.

    Returns ``(excluded, equilibrium)``, or ``(None, None)`` when the solver
    does not give a single certified answer (no equilibrium, or several
    disagreeing on the exclusion); unless uniqueness is proved, every
    equilibrium is enumerated.
    """
    from symalign.numeric.solve import solve

    sol = solve(game)
    if sol.unique is not True:  # several equilibria may disagree on the exclusion: enumerate them all
        sol = solve(game, all_equilibria=True)
    verdicts = {d in eq.excluded_groups() for eq in sol.equilibria}
    if len(verdicts) != 1 or not all(eq.certified for eq in sol.equilibria):  # every one checked, not only one
        return None, None
    return verdicts.pop(), sol.equilibria[0]


def game_file_text(game, *, title: str = "", comment: str = "") -> str | None:
    """A game file (TOML, :func:`symalign.io.gametoml.game_toml`) for a numeric game; None when it cannot be written.

    Examples
    --------
    >>> from symalign import Game, get_family
    >>> g = Game.create(get_family("active_alignment", "overlap"), 2, ["x", "y"], alpha=1, beta=1,
    ...                 gamma="1/3", a=[[1, 0], [0, 1]], p=[0.5, 0.5])
    >>> text = game_file_text(g, comment="counterexample")
    >>> text.splitlines()[0]
    '# counterexample'
    >>> import tomllib
    >>> from symalign.io.gamefile import game_from_mapping
    >>> game_from_mapping(tomllib.loads(text)).params == g.params
    True
    """
    from symalign.errors import SymalignError
    from symalign.io.gametoml import game_toml

    if game.free_symbols():
        return None
    try:
        text = game_toml(game, title=title)
    except SymalignError:
        return None
    return "".join(f"# {line}\n" for line in comment.splitlines()) + text


def fallback_witness(inst, counterexample, what: str = "") -> str:
    """A game file for a refutation whose checker wrote none ('' when there is no game to write).

    The instance's own game when it is numeric (its parameters are the
    counterexample), else the counterexample point completed to an
    admissible game (:func:`complete_point`).
    """
    game = inst.game
    if isinstance(game, PopulationGame):
        return ""
    comment = f"counterexample{': ' + what if what else ''}"
    if not game.free_symbols():
        return game_file_text(game, comment=comment) or ""
    point = {k: v for k, v in dict(counterexample or {}).items() if isinstance(k, sp.Symbol)}
    values = complete_point(inst, point) if point else None
    return "" if values is None else game_file_text(game.subs(values), comment=comment) or ""
