"""Helpers shared by the exclusion and steering tests (written from model.md, not from the library)."""

from __future__ import annotations

import sympy as sp

from symalign import Game, get_family


def simplex_subs(game):
    """Eliminate one prior entry per agent with sum_d p_{i,d} = 1."""
    P = game.param("p")
    return {P[i, 0]: 1 - sum(P[i, k] for k in range(1, P.cols)) for i in range(P.rows)}


def attractiveness_gap(game, i, d):
    """model.md's ``abar_{i,-d} - a_{i,d}``: mean of a_i over the other groups minus a_{i,d}."""
    D = game.n_groups
    A = game.param("a")
    return sum(A[i, k] for k in range(D) if k != d) / (D - 1) - A[i, d]


def random_game(rng, variant, n_agents, n_groups, d, gamma=0):
    """Homogeneous game where group d is the least attractive (reduced game interior by construction)."""
    a = [[sp.Rational(rng.randint(40, 60), 100) for _ in range(n_groups)] for _ in range(n_agents)]
    for row in a:
        others = [row[k] for k in range(n_groups) if k != d]
        row[d] = sum(others) / len(others) - sp.Rational(rng.randint(5, 20), 100)
    p = []
    for _ in range(n_agents):
        raw = [rng.randint(5, 20) for _ in range(n_groups)]
        raw[d] = rng.randint(1, 3)
        p.append([sp.Rational(x, sum(raw)) for x in raw])
    alpha = sp.Rational(rng.randint(10, 20), 10)
    beta = sp.Rational(rng.randint(3, 10), 10)
    return Game.create(get_family("active_alignment", variant), n_agents, n_groups,
                       alpha=alpha, beta=beta, gamma=gamma, a=a, p=p)


def notebook_objects() -> dict:
    """One object of every public result type, for the notebook display tests."""
    from symalign import (derive_mean_field, derive_on_support, exclusion_condition, existence_certificate,
                          kkt_system, minimal_subsidy, solve, target_subsidy)
    from symalign.claims.checks import check_claim
    from symalign.claims.schema import load_claim
    from symalign.io.gamefile import load_game
    from symalign.io.resources import example, theorems_dir

    overlap = get_family("active_alignment", "overlap")
    game = load_game(example("exclusion_4x3.toml"))
    sym = Game.symbolic(overlap, 2, ["x", "y"])
    claim = load_claim(theorems_dir() / "active_alignment" / "T0_existence_overlap.toml")
    small = Game.create(overlap, 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0, a=[[1, "1/2", 0], ["1/2", 1, 0]],
                        p=[[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    return {
        "game": game, "symbolic game": sym, "solution": solve(game), "equilibrium": derive_on_support(sym),
        "kkt": kkt_system(game), "certificate": existence_certificate(game),
        "exclusion": exclusion_condition(game, "right"), "subsidy": minimal_subsidy(game, "right"),
        "target": target_subsidy(small, ["1/3", "1/3", "1/3"]), "mean field": derive_mean_field(overlap, 3),
        "claim": claim, "claim result": check_claim(claim, timeout=10), "small": small,
    }
