"""The run-time note before numba compiles the fused kernels (first use after install)."""

import pytest

from symalign.numeric.batch import kernel


def test_compiled_here_looks_for_every_kernel_index(tmp_path):
    assert kernel.compiled_here([tmp_path]) is False
    import sys

    tag = f"py{sys.version_info.major}{sys.version_info.minor}.nbi"
    (tmp_path / "sub").mkdir()
    for i, name in enumerate(kernel._KERNELS[:-1]):
        (tmp_path / "sub" / f"{name}{10 + i}.{tag}").write_bytes(b"")
    assert kernel.compiled_here([tmp_path]) is False  # one kernel still missing
    (tmp_path / f"{kernel._KERNELS[-1]}7.{tag}").write_bytes(b"")
    assert kernel.compiled_here([tmp_path]) is True


def test_note_only_when_the_kernels_would_be_compiled(monkeypatch):
    said = []
    echo = lambda text, err=False: said.append((text, err))  # noqa: E731
    monkeypatch.setattr(kernel, "AVAILABLE", True)
    monkeypatch.setattr(kernel, "compiled_here", lambda dirs=None: False)
    assert kernel.note_first_compile(echo) is True and said and said[0][1] is True and "30 s" in said[0][0]
    said.clear()
    monkeypatch.setattr(kernel, "compiled_here", lambda dirs=None: True)
    assert kernel.note_first_compile(echo) is False and not said
    monkeypatch.setattr(kernel, "AVAILABLE", False)
    monkeypatch.setattr(kernel, "compiled_here", lambda dirs=None: False)
    assert kernel.note_first_compile(echo) is False and not said


@pytest.mark.skipif(not kernel.AVAILABLE, reason="numba not installed")
def test_kernel_names_match_the_cached_functions():
    """The names the check looks for are those of the jitted functions (a rename would silence the note)."""
    from symalign.numeric.batch import interior, supportblock

    import sys

    tag = f".py{sys.version_info.major}{sys.version_info.minor}.nbi"
    names = [getattr(getattr(m._compiled, "_cache", None), "_index_name", None) for m in (interior, kernel, supportblock)]
    if None in names:  # numba's cache internals moved: only the function names can be checked
        assert hasattr(interior, "_interior") and hasattr(kernel, "_fused_solve") and hasattr(supportblock, "_block")
        return
    # the index files numba itself names for the three dispatchers are those compiled_here looks for
    assert sorted(n.rsplit("-", 1)[0] + "-" for n in names) == sorted(kernel._KERNELS)
    assert all(n.endswith(tag) for n in names)
