import os

import pytest
from hypothesis import HealthCheck, settings

from symalign.io.resources import examples_dir as _shipped_examples

EXAMPLES = _shipped_examples()  # package data, found by importlib.resources

settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def examples_dir():
    return EXAMPLES
