"""I/O layer: game files (:mod:`~symalign.io.gamefile`) and atomic outputs (:mod:`~symalign.io.atomic`).

Imports only :mod:`symalign.core`.
"""
