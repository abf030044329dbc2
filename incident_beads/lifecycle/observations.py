"""What monitoring saw, as kept on an incident: the alerts that fired and measured evidence.

Plain records (typed records, unknown keys kept) so that the lifecycle rules can read them without
importing anything that talks to Alertmanager or Prometheus.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from incident_beads.typedrecord import TypedRecord, field


class _Record(TypedRecord, extra="allow"):
    """Base of these records: unknown keys are kept."""

class FiredAlert(_Record):
    """One Alertmanager alert in the assessment's "alerts fired"."""

    name: str
    status: str
    fingerprint: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    value: str = ""  # Prometheus sends no value: taken from a `value` annotation when templated
    starts_at: datetime
    ends_at: datetime | None = None
    generator_url: str = ""

    @property
    def identity(self) -> str:
        """What tells one firing of one alert from another: its fingerprint and start."""
        return f"{self.fingerprint or self.name}@{self.starts_at.isoformat()}"

    def render(self) -> str:
        """One line for people: `Name{labels} firing since T (value V) URL`."""
        shown = {k: v for k, v in sorted(self.labels.items()) if k != "alertname"}
        labels = "{" + ", ".join(f'{k}="{v}"' for k, v in shown.items()) + "}" if shown else ""
        value = f" (value {self.value})" if self.value else ""
        link = f" {self.generator_url}" if self.generator_url else ""
        return (f"{self.name}{labels} {self.status} since "
                f"{self.starts_at.strftime('%Y-%m-%d %H:%M:%S UTC')}{value}{link}")


class EvidenceSample(_Record):
    """The values one query returned at one moment, by series (None: not a number)."""

    at: datetime
    values: dict[str, float | None] = field(default_factory=dict)


class MetricEvidence(_Record):
    """One check measured against Prometheus over a window, and whether it held."""

    check: str
    query: str
    below: float | None = None
    above: float | None = None
    prometheus_url: str
    window_start: datetime
    window_end: datetime
    samples: list[EvidenceSample] = field(default_factory=list)
    passed: bool
    reason: str = ""
    by: str = ""

    @property
    def bound(self) -> str:
        """The condition in words: `below 0.01`, `above 5`, or both."""
        parts = ([f"below {self.below:g}"] if self.below is not None else []) + (
            [f"above {self.above:g}"] if self.above is not None else [])
        return " and ".join(parts)

    def summary(self) -> str:
        """One line: check, verdict, what was seen, over which window."""
        seen = [v for s in self.samples for v in s.values.values() if v is not None]
        span = (f"min {min(seen):g}, max {max(seen):g}" if seen else "no values")
        seconds = (self.window_end - self.window_start).total_seconds()
        window = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
        verdict = "passed" if self.passed else "FAILED"
        why = f": {self.reason}" if self.reason and not self.passed else ""
        return (f"{self.check} {verdict}{why} ({self.bound}; {span}; {len(self.samples)} "
                f"sample(s) over {window}, `{self.query}`)")

    def as_data(self) -> dict[str, Any]:
        """The record as JSON-ready data (for timeline events and `--json`)."""
        return self.model_dump(mode="json")


def latest_by_check(evidence: list[MetricEvidence]) -> dict[str, MetricEvidence]:
    """The most recent measurement of each check, in the order the checks were first seen."""
    latest: dict[str, MetricEvidence] = {}
    for item in evidence:
        if item.check not in latest or item.window_end >= latest[item.check].window_end:
            latest[item.check] = item
    return latest
