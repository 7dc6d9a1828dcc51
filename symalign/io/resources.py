"""Files shipped with the package: the claim files and the example games.

``theorems/`` (one claim per file) and ``examples/`` (game files) live
inside the package (``symalign/theorems``, ``symalign/examples``) and are
installed with it as package data, so they are found from any directory,
from a wheel as from a clone.  A clone keeps top-level symlinks
``theorems`` and ``examples`` to them, so the documented repository layout
(``symalign verify theorems/``) still works.

They are located with :mod:`importlib.resources`, never with paths
relative to a source file.

Examples
--------
>>> theorems_dir().joinpath("active_alignment").is_dir()
True
>>> example("social_media.toml").name
'social_media.toml'
>>> example("nope.toml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symalign.errors.InputError: name='nope.toml': no such example (shipped: custom_overlap.toml, ...)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from symalign.errors import InputError

__all__ = ["theorems_dir", "examples_dir", "example", "display_path"]


def _package_dir(name: str) -> Path:
    ref = resources.files("symalign").joinpath(name)
    if not ref.is_dir():
        raise InputError("package data", name, "is missing from the installed package (reinstall symalign)")
    # Installed from a wheel or a clone, the package is a directory on disk; a zipped package is not supported.
    return Path(str(ref))


def theorems_dir() -> Path:
    """The directory of the shipped claim files (``theorems/<source>/<claim>.toml``)."""
    return _package_dir("theorems")


def examples_dir() -> Path:
    """The directory of the shipped example game files."""
    return _package_dir("examples")


def example(name: str) -> Path:
    """The path of the shipped example game file ``name`` (e.g. ``"social_media.toml"``)."""
    folder = examples_dir()
    path = folder / name
    if not isinstance(name, str) or Path(name).name != name or not path.is_file():
        shipped = sorted(p.name for p in folder.glob("*.toml"))
        raise InputError("name", name, f"no such example (shipped: {', '.join(shipped)})")
    return path


def display_path(path, base: Path, prefix: str) -> str:
    """``path`` as ``prefix/<path relative to base>`` when it lies under ``base``, else its file name.

    Used for paths written into reports, so that they do not depend on the
    machine (no absolute paths).

    Examples
    --------
    >>> display_path("/x/y/theorems/a/b.toml", Path("/x/y/theorems"), "theorems")
    'theorems/a/b.toml'
    >>> display_path("/elsewhere/c.toml", Path("/x/y/theorems"), "theorems")
    'c.toml'
    """
    path = Path(path).resolve()
    try:
        return f"{prefix}/{path.relative_to(Path(base).resolve()).as_posix()}"
    except ValueError:
        return path.name
