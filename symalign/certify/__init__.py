"""The checker layer: small, independent re-checks of witnesses before anything is called certain.

Solvers and derivations may be clever and wrong; a result leaves the library
as an equilibrium (``certified``), as ``unique``, only when this package
accepted its witness.  It imports no solver and no derivation route (only
the game as data and SymPy to read utilities as polynomials), and decides
exactly on rational data.  See ``docs/explanation/checker.md``.

* :func:`check_equilibrium`: a profile of a numeric game (finite regret,
  or KKT + own-concavity certificate, or exact best response over faces);
* :func:`check_unique`: Rosen's diagonal strict concavity, exactly;
* :class:`Verdict` (accepted / rejected / candidate) and :data:`LEDGER`,
  where rejections of claimed verdicts are counted as bug reports.
"""

from symalign.certify.equilibrium import check_equilibrium
from symalign.certify.uniqueness import check_unique
from symalign.certify.verdict import LEDGER, Ledger, Verdict

__all__ = ["check_equilibrium", "check_unique", "Verdict", "Ledger", "LEDGER"]
