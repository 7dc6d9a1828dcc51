"""Command-line interface: ``symalign solve | derive | verify | ...``.

Conventions shared by every command (added here, in one place):

* errors are one line ``symalign: error: ...`` on stderr naming the file,
  field and value, never a traceback; with ``--json`` the same error is also
  printed on stdout as ``{"error": {...}}``;
* exit status: 0 success; 1 a claim or a check came out false (``verify``,
  ``steer``, ``reproduce``, ``latex --check``); 2 bad usage, bad input, an
  input over a limit, or a budget exhausted; 3 an internal error (a bug:
  please report it; ``SYMALIGN_DEBUG=1`` shows the traceback);
* ``--time-limit SECONDS`` and ``--memory-limit MIB`` bound the whole command
  (defaults in :data:`symalign.core.limits.COMMAND_BUDGETS`, ``0`` = none);
  ``--limit NAME=VALUE`` raises an input limit of :mod:`symalign.core.limits`;
* ``-o/--out FILE`` writes what the command prints to FILE (atomically; the
  file must not be an input, a directory, a device or a FIFO), only when the
  command answers (exit 0 or 1): a failed command leaves FILE as it was;
  every single-file output option of every command is checked the same way
  before any work (:func:`symalign.io.outputs.check_output`);
* progress goes to stderr, results to stdout.

Commands are imported only when run, so ``symalign --help`` and
``symalign --version`` do not import SymPy.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib
import io
import json
import os
import sys

import click

from symalign.errors import SymalignError

__all__ = ["main", "parse_support", "EXIT_OK", "EXIT_FALSE", "EXIT_INPUT", "EXIT_INTERNAL"]

EXIT_OK, EXIT_FALSE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
_OWN_PROGRESS = {"verify", "exclusion", "sweep", "reproduce"}   # commands that draw their own bars on stderr


def _commands() -> tuple:
    from symalign.cli.commands import COMMANDS

    return ("solve", "derive", *(c for c in COMMANDS if c not in ("solve", "derive")))


class _Group(click.Group):
    """Lazy subcommands with the shared options, and one error policy."""

    def list_commands(self, ctx):
        return list(_commands())

    def get_command(self, ctx, name):
        if name in self.commands:
            return self.commands[name]
        if name not in _commands():
            return None
        try:
            module = importlib.import_module(f"symalign.cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"symalign.cli.commands.{name}":
                return None
            raise
        command = _conventions(module.command, name)
        command.name = name  # the name it is registered under (help, usage lines and the docs' reference use it)
        self.commands[name] = command
        return command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        as_json = "--json" in argv
        _tolerant_streams()
        try:
            if sys.stdout is None:  # started with stdout closed (>&-)
                if not {"-o", "--out", "--output"} & {a.split("=")[0] for a in argv}:
                    raise click.UsageError("standard output is closed: give -o FILE (or redirect it)")
                sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
            code = super().main(argv, prog_name or "symalign", complete_var, standalone_mode=False, **extra)
            with contextlib.suppress(ValueError):  # stdout closed by the caller
                sys.stdout.flush()
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_FALSE)
        except click.exceptions.Abort:
            code = _fail("interrupted", EXIT_INPUT, as_json, kind="Interrupted")
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{' '.join(['symalign', *ctx.command_path.split()[1:]])} --help')" if ctx is not None else ""
            code = _fail(exc.format_message() + hint, EXIT_INPUT, as_json, kind="UsageError")
        except SymalignError as exc:
            code = _fail(str(exc), EXIT_INPUT, as_json, exc=exc)
        except MemoryError:
            code = _fail("out of memory (raise it with --memory-limit)", EXIT_INPUT, as_json, kind="MemoryError")
        except RecursionError:
            code = _fail("input nested too deeply", EXIT_INPUT, as_json, kind="RecursionError")
        except BrokenPipeError:
            _silence_stdout()
            code = EXIT_FALSE
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EIO) and exc.filename is None:  # stdout itself failed
                _silence_stdout()
            if exc.errno == errno.ENOMEM:  # the address space of the memory budget ran out outside its phase
                exc = OSError(exc.errno, f"{exc.strerror}: memory budget exhausted (raise it with --memory-limit)",
                              exc.filename)
            code = _fail(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}", EXIT_INPUT, as_json,
                         kind="OSError")
        except Exception as exc:  # noqa: BLE001 - a bug: one line, never a traceback unless asked
            if os.environ.get("SYMALIGN_DEBUG"):
                import traceback

                with contextlib.suppress(OSError, ValueError, AttributeError):
                    traceback.print_exc(file=sys.stderr)
            code = _fail(f"internal error: {type(exc).__name__}: {exc} (please report it; SYMALIGN_DEBUG=1 shows "
                         "the traceback)", EXIT_INTERNAL, as_json, kind=type(exc).__name__)
        if standalone_mode:
            sys.exit(code or 0)
        return code


def _tolerant_streams():
    """Characters the terminal's encoding cannot show are escaped (``\\u0142``), never a crash."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            if stream is not None and (stream.errors or "strict") == "strict":
                stream.reconfigure(errors="backslashreplace")


def _silence_stdout():
    """Point stdout at /dev/null so that the final flush of a failed stdout cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _fail(message: str, code: int, as_json: bool, *, exc=None, kind=None) -> int:
    """Report an error: one line on stderr, and a JSON object on stdout under --json."""
    message = " ".join(str(message).split())  # one line, whatever the exception said
    if as_json:
        obj = {"kind": kind or type(exc).__name__, "message": message, "exit_status": code}
        for attr in ("path", "field", "argument", "value", "reason", "limit", "maximum", "flag", "phase", "resource"):
            if exc is not None and hasattr(exc, attr):
                v = getattr(exc, attr)
                obj["file" if attr == "path" else attr] = v if isinstance(v, (int, float, str, bool, type(None))) else repr(v)
        with contextlib.suppress(OSError, ValueError):
            click.echo(json.dumps({"error": obj}, indent=2, default=str))
    with contextlib.suppress(OSError, ValueError):
        click.echo(f"symalign: error: {message}", err=True)
    return code


_BUDGET_MAX = 1e9
"""Largest --time-limit (seconds, about 31 years) and --memory-limit (MiB); 0 turns a budget off."""


def _float_option(value, name):
    if value < 0 or value != value or value > _BUDGET_MAX:
        raise click.BadParameter(f"{value}: must be a number between 0 and {_BUDGET_MAX:g} (0 turns the budget off)",
                                 param_hint=name)
    return value or None


def _conventions(command: click.Command, name: str) -> click.Command:
    """Add --time-limit, --memory-limit, --limit (and -o/--out, --json where missing) to ``command``."""
    from symalign.core.limits import command_budget

    seconds, memory = command_budget(name)
    have = {opt for p in command.params for opt in getattr(p, "opts", ())}
    extra = [
        click.Option(["--time-limit"], type=float, default=seconds, show_default=True, metavar="SECONDS",
                     help="Wall-clock budget of the whole command (0: none)."),
        click.Option(["--memory-limit"], type=float, default=memory, show_default=True, metavar="MIB",
                     help="Memory budget of the whole command in MiB (0: none)."),
        click.Option(["--limit", "limit_overrides"], multiple=True, metavar="NAME=VALUE",
                     help="Raise an input limit, e.g. --limit agents=200 (see README, Limits and safety)."),
    ]
    capture = "--out" not in have and "-o" not in have
    if capture:
        extra.append(click.Option(["-o", "--out", "capture_out"], type=click.Path(dir_okay=False), default=None,
                                  help="Write the output to this file (atomically) instead of stdout."))
    command.params.extend(extra)
    inner = command.callback
    inputs = [p.name for p in command.params if isinstance(p.type, click.Path) and p.name not in ("capture_out",)
              and not _is_output(p)]

    @functools.wraps(inner)
    def callback(*args, time_limit, memory_limit, limit_overrides, capture_out=None, **kwargs):
        from symalign.core.budget import Budget, process_budget
        from symalign.core.limits import override, parse_limit
        from symalign.errors import BudgetExceeded
        from symalign.io.outputs import check_output

        budget = Budget(_float_option(time_limit, "--time-limit"), _float_option(memory_limit, "--memory-limit"))
        raised = dict(parse_limit(t) for t in limit_overrides)
        sources = _input_paths(kwargs, inputs)
        for opt, target in _file_outputs(command, kwargs, capture_out):  # one check of every output, before work
            check_output(target, opt, inputs=sources)
        sink = io.StringIO() if capture_out is not None else None
        try:
            with override(**raised), process_budget(budget, f"symalign {name}"), _status(name):
                with contextlib.redirect_stdout(sink) if sink is not None else contextlib.nullcontext():
                    try:
                        result = inner(*args, **kwargs)
                    except SystemExit as exc:  # 1 = a claim or check came out false: a result, written
                        if sink is not None and exc.code in (0, 1, None):
                            _write_captured(capture_out, sink.getvalue())
                        elif sink is not None:
                            click.echo(f"symalign: {capture_out} left unchanged (the command failed)", err=True)
                        raise
                    except BaseException:  # a failed command never empties the earlier output file
                        if sink is not None:
                            click.echo(f"symalign: {capture_out} left unchanged (the command failed)", err=True)
                        raise
                    if sink is not None:
                        _write_captured(capture_out, sink.getvalue())
        except BudgetExceeded as exc:
            flag = "--time-limit" if exc.resource == "time" else "--memory-limit"
            raise BudgetExceeded(exc.phase, exc.resource, exc.limit, flag) from None
        except (ImportError, OSError) as exc:  # a library could not be mapped into the memory budget
            nomem = getattr(exc, "errno", None) == errno.ENOMEM or any(t in str(exc) for t in ("failed to map",
                                                                                              "allocate memory"))
            if budget.memory_mb is None or not nomem:
                raise
            raise BudgetExceeded(f"symalign {name}", "memory", budget.memory_mb, "--memory-limit") from None
        if capture_out is not None:
            click.echo(f"wrote {capture_out}", err=True)
        return result

    command.callback = callback
    return command


_OUTPUT_OPTIONS = ("-o", "--out", "--output", "--data", "--figure", "--witness")


def _is_output(param) -> bool:
    return any(o in _OUTPUT_OPTIONS for o in getattr(param, "opts", ()))


def _file_outputs(command, kwargs, capture_out) -> list:
    """(option, path) of every single-file output given (directories such as reproduce --out are checked apart)."""
    out = [("--out", capture_out)] if capture_out is not None else []
    for p in command.params:
        value = kwargs.get(p.name)
        if value and _is_output(p) and isinstance(p.type, click.Path) and not p.type.dir_okay:
            out.append((max(p.opts, key=len), value))
    return out


def _input_paths(kwargs, names) -> list:
    out = []
    for n in names:
        v = kwargs.get(n)
        out += [str(x) for x in (v if isinstance(v, (list, tuple)) else [v]) if x]
    return out


def _write_captured(path, text):
    from symalign.io.atomic import atomic_output

    with atomic_output(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)


@contextlib.contextmanager
def _status(name):
    """A spinner on stderr while a command without its own progress bar works (terminals only)."""
    if name in _OWN_PROGRESS or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(f"symalign {name}: working", spinner="dots"):
        yield


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="symalign", prog_name="symalign")
def main():
    """Derive, verify and export Nash equilibria of games among LLM agents."""


def parse_support(text):
    """Parse a support option: "0,1;0,1,2" (per agent) or "left,centre" (all agents)."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(";")]
    out = []
    for part in parts:
        items = [x.strip() for x in part.split(",") if x.strip()]
        out.append([int(x) if x.lstrip("-").isdigit() else x for x in items])
    return out[0] if len(out) == 1 else out


if __name__ == "__main__":  # pragma: no cover
    main()
