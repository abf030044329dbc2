"""Walk one SEV-1 through every phase in a throw-away repository with a bare upstream.

The demo drives the public API exactly as an orchestrator would, on a replayed clock so that
status updates fall on their cadence and the monitoring window passes in seconds, and it pushes
through the installed guard for real. Each step prints the `incident` command a person would type.

The shop's repository, its history and the narration are in `shop`, phases 0 to 4 in `phases`,
the rest and `run_demo` in `ending`.
"""

from incident_beads.demo.ending import Demo, run_demo
from incident_beads.demo.shop import DemoResult

__all__ = ["Demo", "DemoResult", "run_demo"]
