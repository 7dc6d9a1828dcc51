"""Inputs a scientist has: NumPy arrays, priors within 1e-12 of the simplex, decimals as written,
m x n bimatrix games, Gambit .nfg files and `symalign convert`."""

import decimal
import tomllib

import nashpy
import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from symalign import Game, get_family, solve
from symalign.cli.app import main
from symalign.errors import GameFileError, InputError, ShapeError
from symalign.io.gamefile import game_from_mapping, load_game
from symalign.io.gametoml import game_toml
from symalign.io.nfg import bimatrix, bimatrix_payoffs, nfg_text, parse_nfg, read_nfg
from symalign.io.resources import example

AA = get_family("active_alignment")
NUMPY_PRIOR = [0.3745401188473625, 0.4753571214017262, 0.15010275975091133]  # np.random.default_rng... / sum


def test_numpy_arrays_are_accepted_everywhere_in_game_create():
    g = Game.create(AA, 2, ["x", "y", "z"], alpha=np.float64(1.0), beta=np.array([1.0, 2.0]), gamma=np.int64(0),
                    a=np.eye(2, 3), p=np.array(NUMPY_PRIOR))
    lists = Game.create(AA, 2, ["x", "y", "z"], alpha=1, beta=[1, 2], gamma=0,
                        a=[[1, 0, 0], [0, 1, 0]], p=NUMPY_PRIOR)
    assert g.params == lists.params
    pm = Game.create(get_family("polymatrix"), 2, ["a", "b"], A={"A": np.array([[1, -1], [-1, 1]]),
                                                                 "B": np.array([[-1, 1], [1, -1]])})
    assert pm.param("A")[0][1] == sp.Matrix([[1, -1], [-1, 1]])
    with pytest.raises(ShapeError, match="expected one value or 2"):
        Game.create(AA, 2, ["x", "y"], alpha=np.ones(3), beta=1, gamma=0, a=np.zeros((2, 2)), p=[0.5, 0.5])


def test_prior_within_1e12_of_the_simplex_is_normalised_exactly_with_a_note():
    assert sum(NUMPY_PRIOR) == 1.0  # in floats; the exact decimals sum to 1 + 4e-17
    g = Game.create(AA, 2, ["x", "y", "z"], alpha=1, beta=1, gamma=0, a=np.zeros((2, 3)), p=NUMPY_PRIOR)
    for i in range(2):
        assert sum(g.param("p", i)) == 1 and all(v > 0 for v in g.param("p", i))
    assert g.notes and "divided by its sum, exactly" in g.notes[0]
    assert "divided by its sum" in solve(g).to_dict()["notes"][0]
    # a tiny negative entry is set to 0
    g = Game.create(AA, 2, ["x", "y"], alpha=1, beta=1, gamma=0, a=[0, 0], p=[1 + 1e-13, -1e-13])
    assert list(g.param("p", 0)) == [1, 0] and "set to 0" in g.notes[0]
    # farther off is still refused, with the sum shown
    with pytest.raises(InputError, match="simplex"):
        Game.create(AA, 2, ["x", "y"], alpha=1, beta=1, gamma=0, a=[0, 0], p=[0.5, 0.5 + 1e-9])
    exact = Game.create(AA, 2, ["x", "y"], alpha=1, beta=1, gamma=0, a=[0, 0], p=["1/3", "2/3"])
    assert exact.notes == ()


def test_decimals_are_kept_exactly_as_written(tmp_path):
    path = tmp_path / "g.toml"
    path.write_text('agents = 2\ngroups = ["x", "y"]\nfamily = "active_alignment"\n[parameters]\n'
                    'alpha = 0.12345678901234567890123\nbeta = 1e-30\ngamma = 0.1\na = [0, 0]\n'
                    'p = [0.333333333333333333333333, 0.666666666666666666666667]\n')
    g = load_game(path)
    assert g.param("alpha", 0) == sp.Rational(12345678901234567890123, 10**23)
    assert g.param("beta", 0) == sp.Rational(1, 10**30) and g.param("gamma", 0) == sp.Rational(1, 10)
    assert list(g.param("p", 0)) == [sp.Rational(333333333333333333333333, 10**24),
                                     sp.Rational(666666666666666666666667, 10**24)]
    assert g.notes == ()  # the written decimals sum to exactly 1


def _random_bimatrix(rng, m, n):
    return rng.integers(-50, 51, size=(m, n)), rng.integers(-50, 51, size=(m, n))


def _nashpy_set(A, B):
    """Equilibria by nashpy's vertex enumeration (nondegenerate games: all of them)."""
    out = set()
    for x, y in nashpy.Game(A, B).vertex_enumeration():  # its support enumeration misses some (seed 23)
        out.add((tuple(np.round(x, 9)), tuple(np.round(y, 9))))
    return out


@pytest.mark.parametrize("m,n", [(2, 3), (3, 2), (2, 4), (3, 4)])
def test_m_by_n_bimatrix_games_have_the_equilibria_nashpy_finds(m, n):
    rng = np.random.default_rng(10 * m + n)
    checked = 0
    for _ in range(6):
        A, B = _random_bimatrix(rng, m, n)
        game = bimatrix(A.tolist(), B.tolist())
        sol = solve(game)
        D = max(m, n)
        ours = set()
        for eq in sol.equilibria:
            W = eq.as_array()
            assert np.allclose(W[0, m:], 0) and np.allclose(W[1, n:], 0)  # placeholders never played
            ours.add((tuple(np.round(W[0, :m], 9)), tuple(np.round(W[1, :n], 9))))
        assert ours == _nashpy_set(A, B)
        assert bimatrix_payoffs(game) == (A.tolist(), B.tolist())
        assert game.n_groups == D and "strictly dominated placeholders" in game.notes[0]
        checked += 1
    assert checked == 6


def test_rectangular_game_needs_enough_groups():
    with pytest.raises(ShapeError, match="at least 3 groups"):
        Game.create(get_family("polymatrix"), 2, ["a", "b"], A={"A": [[1, 2, 3], [4, 5, 6]], "B": [[1, 2, 3], [4, 5, 6]]})


NFG_PAYOFF = 'NFG 1 R "2x3" { "P1" "P2" }\n{ { "U" "D" } { "L" "C" "R" } }\n""\n\n3 1 0 0 0 0 2 3 2 3 1 1\n'
NFG_OUTCOME = 'NFG 1 R "pennies" { "P1" "P2" } { 2 2 }\n\n{ { "a" 1, -1 }\n{ "b" -1, 1 } }\n1 2 2 1\n'


def test_nfg_payoff_and_outcome_forms():
    g, title = parse_nfg(NFG_PAYOFF, with_title=True)
    assert title == "2x3" and g.groups == ("L", "C", "R")
    assert bimatrix_payoffs(g) == ([[3, 0, 2], [0, 2, 1]], [[1, 0, 3], [0, 3, 1]])
    p = parse_nfg(NFG_OUTCOME)
    assert p.param("A")[0][1] == sp.Matrix([[1, -1], [-1, 1]]) and p.param("A")[1][0] == sp.Matrix([[-1, 1], [1, -1]])
    # exact numbers
    q = parse_nfg('NFG 1 R "" { "a" "b" } { 2 2 }\n1/3 0.1 0 0 0 0 2e-3 1\n')
    assert q.param("A")[0][1][0, 0] == sp.Rational(1, 3) and q.param("A")[1][0][0, 0] == sp.Rational(1, 10)


@pytest.mark.parametrize("text,match", [
    ("NFG 2 R \"x\" { \"a\" \"b\" } { 2 2 }\n1 1 1 1 1 1 1 1", "NFG 1 R"),
    ('NFG 1 R "x" { "a" "b" "c" } { 2 2 2 }\n' + "0 " * 24, "two-player"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3', "end of file"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 4 5 6 7 8 9', "more values"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 __import__ 5 6 7 8', "not a number"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 }\n1 2 3 nan 5 6 7 8', "not a number"),
    ('NFG 1 R "x" { "a" "b" } { 2 2 \n1 2 3 4 5 6 7 8', "unclosed|expected"),
])
def test_bad_nfg_files_get_one_line_errors(text, match):
    with pytest.raises(GameFileError, match=match):
        parse_nfg(text)


def test_toml_nfg_round_trips(tmp_path):
    pennies = load_game(example("matching_pennies.toml"))
    assert parse_nfg(nfg_text(pennies)).params == pennies.params
    for name in ("social_media.toml", "custom_overlap.toml", "exclusion_4x3.toml", "matching_pennies.toml"):
        g = load_game(example(name))
        back = game_from_mapping(tomllib.loads(game_toml(g), parse_float=decimal.Decimal))
        assert back.params == g.params and back.family == g.family and back.groups == g.groups
    with pytest.raises(InputError, match="two-agent polymatrix"):
        nfg_text(load_game(example("social_media.toml")))


def test_convert_command(tmp_path):
    src = tmp_path / "g.nfg"
    src.write_text(NFG_PAYOFF)
    runner = CliRunner()
    res = runner.invoke(main, ["convert", str(src), "-o", str(tmp_path / "g.toml")])
    assert res.exit_code == 0, res.output
    game = load_game(tmp_path / "g.toml")
    assert bimatrix_payoffs(game) == ([[3, 0, 2], [0, 2, 1]], [[1, 0, 3], [0, 3, 1]])
    res = runner.invoke(main, ["convert", str(tmp_path / "g.toml"), "-o", str(tmp_path / "back.nfg")])
    assert res.exit_code == 0, res.output
    assert bimatrix_payoffs(read_nfg(tmp_path / "back.nfg")) == bimatrix_payoffs(game)
    res = runner.invoke(main, ["convert", str(example("matching_pennies.toml"))])
    assert res.exit_code == 0 and res.output.startswith("NFG 1 R")
    res = runner.invoke(main, ["convert", str(example("social_media.toml")), "-o", str(tmp_path / "x.nfg")])
    assert res.exit_code == 2 and "two-agent polymatrix" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "x.nfg").exists()
    res = runner.invoke(main, ["convert", str(src), "-o", str(tmp_path / "x.json")])
    assert res.exit_code == 2 and "unknown format" in res.output


def test_read_nfg_refuses_a_fifo_and_a_directory(tmp_path):
    # read_nfg shares read_bytes with the TOML reader: a FIFO is refused before it is opened (never blocks)
    import os

    fifo = tmp_path / "pipe.nfg"
    os.mkfifo(fifo)
    with pytest.raises(GameFileError, match="not a regular file"):
        read_nfg(fifo)
    with pytest.raises(GameFileError, match="is a directory"):
        read_nfg(tmp_path)
