"""Golden files: the LaTeX of derived results is pinned byte for byte.

Regenerate after an intended change with

    UPDATE_GOLDEN=1 python -m pytest -q tests/golden

and review the diff of ``tests/golden/*.tex`` before committing it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _overlap(n_agents, groups):
    from symalign import Game, get_family

    return Game.symbolic(get_family("active_alignment", "overlap"), n_agents, groups)


def t3_closed_form():
    """T3: interior closed form of the homogeneous overlap game, N = 2, D = 3, with validity conditions."""
    from symalign import derive_on_support
    from symalign.export.latex import equilibrium_latex

    return equilibrium_latex(derive_on_support(_overlap(2, ["x", "y", "z"])), multipliers=True)


def t2_certificate():
    """T2: the uniqueness certificate (Rosen DSC) of the overlap game, N = 3, D = 3, under gamma < 2 beta."""
    from symalign.verify.certificates import uniqueness_certificate
    from symalign.export.latex import certificate_latex

    game = _overlap(3, ["x", "y", "z"])
    beta, gamma = game.param("beta", 0), game.param("gamma", 0)
    cert = uniqueness_certificate(game, assuming=[gamma < 2 * beta])
    return certificate_latex(cert, label="cert:T2-overlap-N3-D3")


def t4_exclusion():
    """T4: exclusion threshold of group z, homogeneous overlap game, N = 2, D = 3."""
    from symalign.analysis.exclusion import exclusion_condition
    from symalign.export.latex import exclusion_latex

    return exclusion_latex(exclusion_condition(_overlap(2, ["x", "y", "z"]), "z"))


def game_and_kkt():
    """The overlap game N = 2, D = 2: definition and KKT system."""
    from symalign.export.latex import game_latex, kkt_latex

    game = _overlap(2, ["left", "right"])
    return game_latex(game) + "\n\n" + kkt_latex(game)


CASES = {
    "t3_closed_form_overlap_N2_D3.tex": t3_closed_form,
    "t2_uniqueness_certificate_overlap_N3_D3.tex": t2_certificate,
    "t4_exclusion_overlap_N2_D3.tex": t4_exclusion,
    "game_kkt_overlap_N2_D2.tex": game_and_kkt,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    got = CASES[name]().rstrip() + "\n"
    path = HERE / name
    if UPDATE:  # regenerating is not a check: report it as skipped, never as passed
        path.write_text(got, encoding="utf-8")
        pytest.skip(f"UPDATE_GOLDEN=1: rewrote {name}; review the diff, then run without it")
    assert path.exists(), f"missing golden file {path.name}: run with UPDATE_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), f"{name} changed: review, then UPDATE_GOLDEN=1"


def test_output_is_byte_identical_across_hash_seeds():
    """Set and dict ordering must not leak into the output: two fresh interpreters agree."""
    code = (
        "import sys; sys.path.insert(0, %r); import test_latex_golden as t; "
        "sys.stdout.write(t.t4_exclusion() + t.game_and_kkt())" % str(HERE)
    )
    outs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        outs.append(res.stdout)
    assert outs[0] == outs[1]
    assert outs[0].startswith("% exclusion threshold")
