"""Where numba caches the compiled kernels: a temporary directory when no usual location is writable.

numba caches ``cache=True`` functions beside their source (``__pycache__``)
or in the user's cache (``~/.cache/numba``); when a user can write neither
(an installed package run by an account without a home), numba refuses to
compile (``no locator available``).  :func:`ensure_cache_dir` then points
``NUMBA_CACHE_DIR`` at a private directory under the system's temporary
directory, before numba is imported.
"""

from __future__ import annotations

import os
import tempfile

__all__ = ["ensure_cache_dir"]


def _writable(path: str) -> bool:
    """Whether ``path`` is, or could be created as, a writable directory."""
    while path and not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)


def ensure_cache_dir(source_dir: str, home: str | None = None) -> str | None:
    """Set ``NUMBA_CACHE_DIR`` to a private temporary directory if numba could cache nowhere; return it.

    ``source_dir`` is the folder of the compiled functions' modules.  Returns
    None (and changes nothing) when ``NUMBA_CACHE_DIR`` is already set or a
    usual location is writable.

    Examples
    --------
    >>> import os
    >>> ensure_cache_dir(os.path.dirname(os.__file__)) is None or "NUMBA_CACHE_DIR" in os.environ
    True
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    home = os.path.expanduser("~") if home is None else home
    user = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "numba")
    if _writable(os.path.join(source_dir, "__pycache__")) or _writable(user):
        return None
    folder = os.path.join(tempfile.gettempdir(), f"symalign-numba-{os.getuid() if hasattr(os, 'getuid') else 0}")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = folder
    return folder
