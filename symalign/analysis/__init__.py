"""Analysis layer: exclusion conditions (:mod:`~symalign.analysis.exclusion`, on the reduced
game of :mod:`~symalign.analysis.reduced`, with the input helpers of :mod:`~symalign.analysis.inputs`),
steering subsidies (:mod:`~symalign.analysis.steering`) and levers (:mod:`~symalign.analysis.levers`)
with their checks (:mod:`~symalign.analysis.probes`), exact regions (:mod:`~symalign.analysis.regions`)
and parameter sweeps (:mod:`~symalign.analysis.sweep`).
"""
