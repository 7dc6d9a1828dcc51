"""Export layer: LaTeX (:mod:`~symalign.export.latex`, :mod:`~symalign.export.code`),
the report (:mod:`~symalign.export.report`), figures (:mod:`~symalign.export.plots`) and
readable scalar solver code (:mod:`~symalign.export.scalar`).
"""
