"""Analysis layer: exclusion conditions (:mod:`~symalign.analysis.exclusion`), steering
subsidies (:mod:`~symalign.analysis.steering`), exact regions (:mod:`~symalign.analysis.regions`)
and parameter sweeps (:mod:`~symalign.analysis.sweep`).
"""
