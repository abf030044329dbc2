"""Helpers of the tests that run real parts: the library's sandbox, and `incident` commands."""

from __future__ import annotations

import os
import sys

from incident_beads.monitoring.sandbox import free_port, missing

MISSING = missing()

__all__ = ["MISSING", "child_env", "free_port", "incident_command"]


def incident_command(*args: str) -> list[str]:
    """`incident ARGS` run by this interpreter."""
    return [sys.executable, "-m", "incident_beads", *args]


def child_env(**extra: str) -> dict[str, str]:
    """This process's (hermetic) environment plus `extra`."""
    env = dict(os.environ)
    env.update(extra)
    return env
