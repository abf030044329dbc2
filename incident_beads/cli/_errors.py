"""The one place where errors become exit codes and one-line messages."""

from __future__ import annotations

import json
import os
import sys
from typing import NoReturn

import click

from incident_beads.errors import IncidentBeadsError

# A bug, as opposed to a "no": sysexits' EX_SOFTWARE, so an orchestrator can tell the two apart.
INTERNAL_ERROR = 70


class Reported(Exception):
    """The command printed its whole answer, and the answer is "no": exit 1, print nothing more.

    `check` (criteria not met) and `hooks status` (guard not installed) end with it, so every
    exit code still comes from this module. A command whose `--json` answer is already printed
    passes the error it ends on: its one line goes to stderr, its exit code is the error's.
    """

    def __init__(self, error: IncidentBeadsError | None = None) -> None:
        super().__init__(error.one_line() if error is not None else "")
        self.error = error


def run(group: click.Group, argv: list[str] | None) -> NoReturn:
    """Run `group`; exit 0 done, 1 refused or failed, 2 usage, 3 escalation, 70 a bug."""
    args = sys.argv[1:] if argv is None else argv
    wants_json = "--json" in args[: args.index("--")] if "--" in args else "--json" in args
    try:
        # Without standalone mode click returns the code of `ctx.exit(n)` instead of exiting.
        result = group.main(args=args, prog_name="incident", standalone_mode=False)
    except Reported as reported:
        if reported.error is not None:
            _fail(reported.error.one_line(), reported.error.exit_code, None)
        sys.exit(1)
    except IncidentBeadsError as exc:
        _fail(exc.one_line(), exc.exit_code, exc.to_json() if wants_json else None)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        # UsageError exits 2, other ClickExceptions 1, as click does itself.
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 1, None)
    except KeyboardInterrupt:
        _fail("interrupted", 130, None)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        _fail(f"{exc.strerror or exc}{where}", 1, None)
    except Exception as exc:  # a bug: still one line, the traceback on request
        if os.environ.get("INCIDENT_BEADS_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc}", INTERNAL_ERROR, None,
              hint="this is a bug: please report it with the command that ran; "
                   "INCIDENT_BEADS_DEBUG=1 shows the traceback")
    sys.exit(result if isinstance(result, int) and not isinstance(result, bool) else 0)


def _fail(message: str, code: int, as_json: dict[str, object] | None, hint: str = "") -> NoReturn:
    if as_json is not None:
        click.echo(json.dumps(as_json, ensure_ascii=False))
    text = " ".join(message.split())
    click.echo(f"incident: {text}" + (f" ({hint})" if hint else ""), err=True)
    sys.exit(code)
