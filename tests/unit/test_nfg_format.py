"""Gambit's .nfg format in full (any number of players, both layouts, labels, comments, exact numbers) and
TOML written with tomli-w: every file written reads back."""

import tomllib
from decimal import Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner

from symalign import Game, get_family
from symalign.cli.app import main
from symalign.cli.commands.convert import convert
from symalign.errors import GameFileError, InputError
from symalign.io.gamefile import game_from_mapping, load_game
from symalign.io.gametoml import game_toml
from symalign.io.nfg import bimatrix, bimatrix_payoffs, game_of, nfg_text, normal_form_of, read_normal_form
from symalign.io.normal_form import parse_normal_form
from _finite_games import SKIP_REASON, VON_STENGEL_A, VON_STENGEL_B, catalogue_files

THREE = r'''NFG 1 R "three \"quoted\" players \\ here" { "Ann" "Bob" "Cy" }

{ { "Top" "Bottom" }
{ "Left" "Right" }
{ "1" "2" "x" }
}
"a comment
over two lines"

{
{ "first" 3, 0, 2 }
{ "" 1/3, 0.25, -2e-1 }
{ "z" 0, 0, 7 }
}
1 2 0 3 3 2 1 1 0 0 2 1
'''


def test_three_player_outcome_form_with_labels_and_escapes():
    nf = parse_normal_form(THREE)
    assert nf.title == 'three "quoted" players \\ here' and nf.players == ("Ann", "Bob", "Cy")
    assert nf.shape == (2, 2, 3) and nf.strategies[2] == ("1", "2", "x") and nf.comment == "a comment\nover two lines"
    assert nf.payoff((1, 0, 0)) == (Fraction(1, 3), Fraction(1, 4), Fraction(-1, 5))  # exact, as written
    assert nf.payoff((0, 1, 0)) == (0, 0, 0)  # index 0: the null outcome
    # profile k = s1 + 2 s2 + 4 s3 (the first player's strategy changes fastest): k = 7 -> outcome 1, k = 10 -> 2
    assert nf.payoff((1, 1, 1)) == (3, 0, 2) and nf.payoff((0, 1, 2)) == (Fraction(1, 3), Fraction(1, 4), Fraction(-1, 5))
    assert parse_normal_form(nfg_text(nf)) == nf


def test_payoff_form_with_counts_round_trips():
    nf = parse_normal_form('NFG 1 D "c" { "a" "b" "c" } { 2 1 2 } 1 2 3 4 5 6 7 8 9 10 11 1.5e3')
    assert nf.strategies == (("1", "2"), ("1",), ("1", "2")) and not nf.outcome_form
    assert nf.payoff((1, 0, 1)) == (10, 11, 1500)
    assert parse_normal_form(nfg_text(nf)) == nf


@pytest.mark.parametrize("index", ["1.9", "3/2", "-1", "4", "1e0", "0x1"])
def test_outcome_indices_that_are_not_whole_numbers_in_range_are_refused(index):
    text = f'NFG 1 R "" {{ "a" "b" }} {{ 2 1 }} {{ {{ "" 1, 2 }} {{ "" 3, 4 }} {{ "" 5, 6 }} }} 1 {index}'
    with pytest.raises(GameFileError, match="outcome index"):
        parse_normal_form(text)


@pytest.mark.parametrize("text,match", [
    ('NFG 1 R "" { "a" "b" } { 2 2 } { 1 2 } 1 2 3 4', "outcome"),
    ('NFG 1 R "" { "a" "b" } { 2 2 } { { "" 1 } } 1 1 1 1', "name and 2 payoffs"),
    ('NFG 1 R "" { "a" "b" } { 2 } 1 2', "one entry per player"),
    ('NFG 1 R "" { "a" "b" } { 100000 100000 } 1', "exceeds the limit groups"),
    ('NFG 1 R "" { "a" "b" } { 1 2 } 1 2 3 1e5000', "number_digits"),
    ('NFG 1 R "" { "a" "b" } { 1 2 } 1 2 3 1/0', "not a number"),
    ('NFG 1 R "" { "a" "b" } { { "x" } 2 } 1 2 3 4', "labels for every player or counts"),
])
def test_malformed_nfg_gets_a_one_line_error(text, match):
    with pytest.raises(GameFileError, match=match):
        parse_normal_form(text)


def test_two_player_labels_survive_toml_and_back(tmp_path):
    text = ('NFG 1 R "BoS 😀" { "Her é" "Him\\\\" } { { "Opera" "Fight" "Home" } { "Ópera" "Fight" } }\n'
            '"desc \\"q\\" \\\\ 😀"\n3 2 0 0 1 1 0 0 2 3 1/3 0.1\n')
    src = tmp_path / "g.nfg"
    src.write_text(text, encoding="utf-8")
    nf = read_normal_form(src)
    assert nf.players == ("Her é", "Him\\") and nf.comment == 'desc "q" \\ 😀'
    toml = convert(src, ".toml")
    data = tomllib.loads(toml, parse_float=Decimal)
    assert data["players"] == ["Her é", "Him\\"] and data["strategies"] == [["Opera", "Fight", "Home"], ["Ópera", "Fight"]]
    (tmp_path / "g.toml").write_text(toml, encoding="utf-8")
    back = parse_normal_form(convert(tmp_path / "g.toml", ".nfg"))
    assert (back.title, back.players, back.strategies, back.comment) == (nf.title, nf.players, nf.strategies, nf.comment)
    assert back.payoff_tables() == nf.payoff_tables()
    assert back.payoff((2, 1)) == (Fraction(1, 3), Fraction(1, 10))


def test_every_toml_written_reads_back_with_emoji_non_ascii_and_backslashes():
    groups = ["ünï 😀", 'back\\slash "q"', "tab\there"]
    g = Game.create(get_family("polymatrix"), 2, groups,
                    A={"A": [[1, "1/3", 0], [0, 2, "0.1"], [1, 1, 1]], "B": [[0, 1, 2], [2, 0, 1], [1, 2, 0]]})
    for title in ("😀 \\ é", 'a "quoted" \\n title', "ß\x7f"):
        text = game_toml(g, title=title, description="é\\😀", players=["Ä", "😀\\"],
                         strategies=[groups, groups])
        data = tomllib.loads(text, parse_float=Decimal)
        assert data["title"] == title and data["groups"] == groups and data["players"] == ["Ä", "😀\\"]
        back = game_from_mapping(data)
        assert back.params == g.params and back.groups == g.groups


def test_toml_keys_and_values_with_non_ascii_read_back():
    import tomli_w

    # parameter names are ASCII identifiers (the game-file schema); every other key or value may be any text,
    # and tomli-w quotes and escapes it
    custom = {"agents": 2, "groups": ["x", "ÿ😀"], "family": "custom", "utility": "-sum((w[d] - c[d])**2, d)",
              "parameters": {"c": [0.5, "1/2"]}, "kinds": {"c": "vector"}}
    g = game_from_mapping(custom)
    text = game_toml(g, title="ключ 😀 \\")
    data = tomllib.loads(text, parse_float=Decimal)
    assert data["title"] == "ключ 😀 \\" and data["groups"] == ["x", "ÿ😀"]
    assert game_from_mapping(data).params == g.params
    assert tomllib.loads(tomli_w.dumps({"é 😀\\": {"ключ": 1}})) == {"é 😀\\": {"ключ": 1}}


def test_von_stengel_game_round_trips_through_both_formats(tmp_path):
    game = bimatrix(VON_STENGEL_A, VON_STENGEL_B)
    nf = normal_form_of(game, title="von Stengel 1999")
    assert game_of(parse_normal_form(nfg_text(nf))).params == game.params
    (tmp_path / "vs.toml").write_text(game_toml(game), encoding="utf-8")
    assert bimatrix_payoffs(load_game(tmp_path / "vs.toml")) == (VON_STENGEL_A, VON_STENGEL_B)


@pytest.mark.skipif(not catalogue_files(), reason=SKIP_REASON)
@pytest.mark.parametrize("path", catalogue_files(), ids=lambda p: p.stem)
def test_gambit_catalogue_files_convert_and_round_trip(path, tmp_path):
    nf = read_normal_form(path)
    assert nf.title and all(len(s) >= 1 for s in nf.strategies)
    again = parse_normal_form(convert(path, ".nfg"))
    assert again == nf  # .nfg -> .nfg: same game, labels, comment and layout
    if len(nf.players) != 2:
        with pytest.raises(GameFileError, match="only two-player"):
            convert(path, ".toml")
        return
    out = tmp_path / "g.toml"
    res = CliRunner().invoke(main, ["convert", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    back = parse_normal_form(convert(out, ".nfg"))
    assert (back.title, back.players, back.strategies, back.comment) == (nf.title, nf.players, nf.strategies, nf.comment)
    assert back.payoff_tables() == nf.payoff_tables()


# ------------------------------------------------------------------ n-player games: every equilibrium, exactly

NAU_SEC4 = ('NFG 1 R "Nau et al. (2004) section 4" { "1" "2" "3" } { 2 2 2 }\n'
            '{ { "" 3, 0, 2 } { "" 0, 1, 0 } { "" 0, 2, 0 } { "" 1, 0, 0 } { "" 1, 0, 0 } { "" 0, 3, 0 } '
            '{ "" 0, 1, 0 } { "" 2, 0, 3 } }\n1 2 3 4 5 6 7 8\n')  # payoffs as published (Nau, Gomez Canovas, Hansen 2004)


def test_three_player_game_with_a_unique_irrational_equilibrium():
    import sympy as sp

    from symalign.numeric.normal_form_nash import exact_regret, normal_form_equilibria

    nf = parse_normal_form(NAU_SEC4)
    res = normal_form_equilibria(nf)
    assert len(res.points) == 1 and res.components == ()
    (point,) = res.points
    assert all(r == 0 for r in exact_regret(nf, point))  # exact regret, zero-tested by minimal polynomials
    assert any(not v.is_Rational for row in point for v in row)  # irrational: sqrt(601) appears
    assert sp.sqrt(601) in {a for row in point for v in row for a in v.atoms(sp.Pow)}
    # an independent check of one indifference: player 3 is indifferent between its strategies
    p, q = point[0][0], point[1][0]
    u3 = [2 * p * q, 3 * (1 - p) * (1 - q)]  # player 3's payoffs from the table: (T, L, 1) -> 2, (B, R, 2) -> 3
    assert sp.simplify(u3[0] - u3[1]) == 0
    off = ((1, 0), (1, 0), (1, 0))
    assert any(r != 0 for r in exact_regret(nf, off))  # a profile that is not an equilibrium is caught


@pytest.mark.skipif(not catalogue_files(), reason=SKIP_REASON)
def test_catalogue_three_player_games_points_and_continua():
    from symalign.numeric.normal_form_nash import exact_regret, normal_form_equilibria

    files = {p.stem: p for p in catalogue_files() if len(read_normal_form(p).players) == 3}
    if "sec5" not in files:
        pytest.skip("Nau et al. section 5 not in this catalogue")
    nf = read_normal_form(files["sec5"])
    res = normal_form_equilibria(nf)
    assert sorted(sum(1 for row in p for v in row if v not in (0, 1)) for p in res.points) == [0, 0, 0]  # 3 pure
    full = [c for c in res.components if all(len(s) == k for s, k in zip(c.support, nf.shape))]
    assert len(full) == 1 and full[0].sample is not None  # the continuum of completely mixed equilibria
    for c in res.components:
        assert c.sample is not None and all(r == 0 for r in exact_regret(nf, c.sample))


def test_solve_reads_nfg_files_of_two_and_three_players(tmp_path):
    import json

    three = tmp_path / "nau4.nfg"
    three.write_text(NAU_SEC4, encoding="utf-8")
    res = CliRunner().invoke(main, ["solve", str(three), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert len(out["equilibria"]) == 1 and out["components"] == [] and out["unique"] is True
    assert "sqrt(601)" in out["equilibria"][0]["weights"][0][0]
    two = tmp_path / "bos.nfg"
    two.write_text('NFG 1 R "BoS" { "a" "b" } { { "O" "F" } { "O" "F" } }\n3 2 0 0 0 0 2 3\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["solve", str(two), "--all", "--json"])
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.output)["equilibria"]) == 3


def test_exact_regret_refuses_float_probabilities():
    """A float is never taken for the rational near it: 0.666... is not 2/3 (it was nsimplified and passed)."""
    from fractions import Fraction

    from symalign.numeric.normal_form_nash import exact_regret

    bos = parse_normal_form('NFG 1 R "battle of the sexes" { "1" "2" } { 2 2 }\n2 1 0 0 0 0 1 2\n')
    exact = [[Fraction(2, 3), Fraction(1, 3)], [Fraction(1, 3), Fraction(2, 3)]]
    assert all(r == 0 for r in exact_regret(bos, exact))
    with pytest.raises(InputError, match="not floats"):
        exact_regret(bos, [[2 / 3, 1 / 3], [1 / 3, 2 / 3]])
