"""Finite games the tests share: published payoff tables (facts, typed from the papers) and Gambit's catalogue.

Gambit's catalogue files are GPL-2.0-or-later (pygambit's licence) and are
not copied into this MIT repository: :func:`catalogue_files` reads them at
test time from an installed pygambit (``pygambit/catalog_data``) or from a
directory named by ``SYMALIGN_GAMBIT_CATALOG`` (e.g. the ``catalog`` folder
of the pygambit sdist), and tests skip with the reason without either.
"""

import importlib.util
import os
from pathlib import Path

# von Stengel, "New maximal numbers of equilibria in bimatrix games", Discrete Comput. Geom. 21 (1999) 557-568:
# a nondegenerate 6x6 game with 75 equilibria (payoffs as in the paper; the row player's A, the column player's B)
VON_STENGEL_A = [[9504, -660, 19976, -20526, 1776, -8976], [-111771, 31680, -130944, 168124, -8514, 52764],
                 [397584, -113850, 451176, -586476, 29216, -178761], [171204, -45936, 208626, -263076, 14124, -84436],
                 [1303104, -453420, 1227336, -1718376, 72336, -461736],
                 [737154, -227040, 774576, -1039236, 48081, -300036]]
VON_STENGEL_B = [[72336, 48081, 29216, 14124, 1776, -8514], [-461736, -300036, -178761, -84436, -8976, 52764],
                 [1227336, 774576, 451176, 208626, 19976, -130944],
                 [-1718376, -1039236, -586476, -263076, -20526, 168124],
                 [1303104, 737154, 397584, 171204, 9504, -111771], [-453420, -227040, -113850, -45936, -660, 31680]]


def catalogue_dir():
    """The folder holding Gambit's catalogue ``.nfg`` files, or None."""
    env = os.environ.get("SYMALIGN_GAMBIT_CATALOG")
    if env:
        return Path(env)
    spec = importlib.util.find_spec("pygambit")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "catalog_data"
    return folder if folder.is_dir() else None


def catalogue_files():
    """Every ``.nfg`` of Gambit's catalogue (sorted), or [] when none is available."""
    folder = catalogue_dir()
    return sorted(folder.rglob("*.nfg")) if folder is not None else []


SKIP_REASON = ("Gambit's catalogue (GPL, not shipped) is read from an installed pygambit or SYMALIGN_GAMBIT_CATALOG; "
               "neither is available")
