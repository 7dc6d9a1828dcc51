"""Every module of the package has a reference entry (docs/reference, one page per layer)."""

import pkgutil
import re
from pathlib import Path

import symalign

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference"


def test_every_module_is_documented():
    documented = set()
    for page in REFERENCE.glob("*.md"):
        documented.update(re.findall(r"\.\. automodule:: ([\w.]+)", page.read_text(encoding="utf-8")))
    modules = {info.name for info in pkgutil.walk_packages(symalign.__path__, "symalign.")}
    assert modules - documented == set(), "modules without a reference entry"
    assert documented - modules - {"symalign"} == set(), "reference entries for modules that do not exist"
