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


# --- every --json output the suite produces is checked against the published schema -------------------------
_JSON_OUTPUTS = {"validated": 0}


@pytest.fixture(autouse=True)
def _json_outputs_follow_the_schema(monkeypatch):
    """Wrap CliRunner.invoke: whatever a command prints with --json must match symalign/io/schemas/cli-1.json."""
    from click.testing import CliRunner

    from symalign.io.schema import schema, validate_output

    known = set(schema("cli")["$defs"])
    real = CliRunner.invoke

    def invoke(self, cli, args=None, *a, **kw):
        result = real(self, cli, args, *a, **kw)
        argv = [str(x) for x in args] if isinstance(args, (list, tuple)) else []
        command = next((x for x in argv if not x.startswith("-")), None)
        try:
            text = result.stdout
        except ValueError:  # stdout not captured separately
            return result
        if "--json" in argv and command in known and text.strip():
            try:
                validate_output(command, text)
            except ValueError as exc:  # not JSON at all, or JSON off the schema
                raise AssertionError(f"symalign {command} --json printed output off its schema: {exc}\n"
                                     f"{text[:500]}") from None
            _JSON_OUTPUTS["validated"] += 1
        return result

    monkeypatch.setattr(CliRunner, "invoke", invoke)


def pytest_terminal_summary(terminalreporter):
    if _JSON_OUTPUTS["validated"]:
        terminalreporter.write_line(f"--json outputs checked against symalign/io/schemas/cli-1.json: "
                                    f"{_JSON_OUTPUTS['validated']}")
