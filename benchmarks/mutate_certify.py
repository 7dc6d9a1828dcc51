"""Mutation testing of the checker (symalign.certify): do its tests reject wrong code?

A small, dependency-free mutator in the spirit of mutmut: each mutant changes one operator or constant in
one module of ``symalign/certify`` (comparison flipped, ``+``/``-`` swapped, ``and``/``or`` swapped, a
constant 0 -> 1 or 1 -> 0, ``True``/``False`` swapped), is written over the module, and the checker's tests
(``tests/unit/test_certify.py`` and the package doctests) run against it; the mutant is *killed* when they
fail (or time out).  The original file is restored after each run.  Not part of the default test run.

Usage (from the repository root)::

    python benchmarks/mutate_certify.py [--sample N] [--seed S] [--timeout SECONDS]

Prints each surviving mutant and the score ``killed / total``.
"""

from __future__ import annotations

import argparse
import ast
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "symalign" / "certify"
SWAPS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
         ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.And: ast.Or, ast.Or: ast.And}


def _sites(tree):
    """(node, field/index, replacement factory) for every mutable spot, in walk order."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    out.append((node, ("ops", k), SWAPS[type(op)]))
        elif isinstance(node, (ast.BinOp, ast.BoolOp)) and type(node.op) in SWAPS:
            out.append((node, ("op", None), SWAPS[type(node.op)]))
        elif isinstance(node, ast.Constant) and type(node.value) in (int, bool) and node.value in (0, 1):
            out.append((node, ("value", None), None))
    return out


def _mutants(path):
    source = path.read_text(encoding="utf-8")
    n = len(_sites(ast.parse(source)))
    for k in range(n):
        tree = ast.parse(source)
        node, (field, idx), new = _sites(tree)[k]
        if field == "ops":
            node.ops[idx] = new()
        elif field == "op":
            node.op = new()
        else:
            node.value = (not node.value) if isinstance(node.value, bool) else 1 - node.value
        yield f"{path.name}:{node.lineno} {field}", ast.unparse(tree)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=0, help="run a random sample of this many mutants (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args(argv)
    mutants = [(path, name, text) for path in sorted(PACKAGE.glob("*.py")) for name, text in _mutants(path)]
    if args.sample:
        mutants = random.Random(args.seed).sample(mutants, min(args.sample, len(mutants)))
    killed, survivors = 0, []
    for path, name, text in mutants:
        original = path.read_text(encoding="utf-8")
        try:
            path.write_text(text, encoding="utf-8")
            cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--doctest-modules",
                   "tests/unit/test_certify.py", "symalign/certify"]
            try:
                res = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=args.timeout)
                dead = res.returncode != 0
            except subprocess.TimeoutExpired:
                dead = True
        finally:
            path.write_text(original, encoding="utf-8")
        killed += dead
        if not dead:
            survivors.append(name)
        print(f"{'killed ' if dead else 'SURVIVED'} {name}", flush=True)
    print(f"score: {killed}/{len(mutants)} killed ({100 * killed / max(1, len(mutants)):.0f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
