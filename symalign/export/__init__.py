"""Export layer: LaTeX (:mod:`~symalign.export.latex`, the entry point re-exporting
:mod:`~symalign.export.game_tex`, :mod:`~symalign.export.results_tex`, :mod:`~symalign.export.analysis_tex`
and :mod:`~symalign.export.code`), the report (:mod:`~symalign.export.report`), figures
(:mod:`~symalign.export.plots`) and readable scalar solver code (:mod:`~symalign.export.scalar`).
"""
