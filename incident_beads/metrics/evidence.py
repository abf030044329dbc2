"""Evidence from metrics: run the configured checks against Prometheus, once or over a window,
and record what was seen on the incident."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta

from incident_beads import collector
from incident_beads.config import MetricCheck
from incident_beads.errors import CheckFailed, InvalidInput, Refused
from incident_beads.lifecycle.api import Lifecycle
from incident_beads.lifecycle.edit import editing
from incident_beads.lifecycle.observations import EvidenceSample, MetricEvidence
from incident_beads.metrics.prometheus import PrometheusClient

#: At most this many samples per check are kept on the incident (evenly spread, last kept),
#: and of each sample the values of at most this many series (the ones nearest failing):
#: the record lives on one line of the store, which must stay well under its line limit.
MAX_KEPT_SAMPLES = 120
MAX_KEPT_SERIES = 20

Progress = Callable[[str], None]


def select_checks(incidents: Lifecycle, incident_id: str,
                  names: Sequence[str] = ()) -> list[MetricCheck]:
    """The checks named, else those of the incident's services; refused when none apply."""
    config = incidents.config.monitoring
    if not config.prometheus_url:
        raise Refused("monitoring is not configured: no Prometheus to measure against",
                      hint='set [monitoring] prometheus_url = "http://HOST:9090" in '
                           ".incident-beads.toml, or give typed evidence")
    if names:
        unknown = [n for n in names if n not in config.checks]
        if unknown:
            raise InvalidInput(f"no check named {', '.join(unknown)}",
                               hint="known checks: " + (", ".join(sorted(config.checks))
                                                        or "none configured"))
        return [config.checks[n] for n in names]
    services = incidents.get(incident_id).state.assessment.services
    found = config.checks_for(services)
    if not found:
        raise Refused(f"no monitoring check applies to {incident_id} (services: "
                      f"{', '.join(services) or 'none recorded'})",
                      hint="add [monitoring.checks.NAME] with service = \"...\", or name one "
                           "with --check")
    return found


def judge(check: MetricCheck, values: dict[str, float | None]) -> tuple[bool, str]:
    """Pass when the query returned values and every one keeps the check's bound."""
    if not values:
        return False, "no data (the query returned no series)"
    for series, value in values.items():
        if value is None:
            return False, f"{series} is not a number"
        if check.below is not None and not value < check.below:
            return False, f"{series} = {value:g}, not below {check.below:g}"
        if check.above is not None and not value > check.above:
            return False, f"{series} = {value:g}, not above {check.above:g}"
    return True, ""


def measure(incidents: Lifecycle, incident_id: str, *, checks: Sequence[str] = (),
            watch: timedelta | None = None, every: float | None = None,
            progress: Progress | None = None, actor: str | None = None,
            client: PrometheusClient | None = None,
            sleep: Callable[[float], None] = time.sleep,
            timer: Callable[[], float] = time.monotonic) -> list[MetricEvidence]:
    """Query each check now, or every `every` seconds for `watch`, stopping at the first
    failure; record one `MetricEvidence` per check on the incident.

    A failing check raises `CheckFailed` after it is recorded. Prometheus unreachable raises
    `MonitoringUnavailable` and records nothing.
    """
    chosen = select_checks(incidents, incident_id, checks)
    config = incidents.config.monitoring
    prometheus = client or PrometheusClient(config.prometheus_url,
                                            timeout=config.timeout_seconds)
    interval = float(every if every is not None else config.watch_interval_seconds)
    if interval <= 0:
        raise InvalidInput("the interval between samples must be positive", hint="--every 30")
    window = watch.total_seconds() if watch is not None else 0.0
    if window > 0:
        collector.resume()  # a watch runs for minutes: what it makes must be freed as it goes
    started, began = incidents.now(), timer()
    samples: dict[str, list[EvidenceSample]] = {c.name: [] for c in chosen}
    failures: dict[str, str] = {}
    while True:
        for check in chosen:
            values = prometheus.query(check.query)
            samples[check.name].append(EvidenceSample(at=incidents.now(),
                                                      values=_worst(check, values)))
            ok, why = judge(check, values)
            if not ok:
                failures.setdefault(check.name, why)
            if progress is not None:
                progress(_progress_line(check, values, ok, timer() - began, window))
        remaining = window - (timer() - began)
        if failures or remaining <= 0:
            break
        sleep(min(interval, remaining))
    ended = incidents.now()
    records = [MetricEvidence(
        check=c.name, query=c.query, below=c.below, above=c.above,
        prometheus_url=config.prometheus_url, window_start=started, window_end=ended,
        samples=_thin(samples[c.name]), passed=c.name not in failures,
        reason=failures.get(c.name, ""), by=actor or incidents.actor) for c in chosen]
    _record(incidents, incident_id, records, actor)
    failed = [r for r in records if not r.passed]
    if failed:
        raise CheckFailed(f"{incident_id}: " + "; ".join(f"check {r.check} failed: {r.reason}"
                                                        for r in failed) + " (recorded)",
                          hint="the fix has not held; keep mitigating, then measure again")
    return records


def _record(incidents: Lifecycle, incident_id: str, records: list[MetricEvidence],
            actor: str | None) -> None:
    with editing(incidents.store, incident_id, now=incidents.now(),
                 actor=actor or incidents.actor) as edit:
        for record in records:
            edit.state.evidence.append(record)
            edit.event("evidence", f"Monitoring evidence: {record.summary()}",
                       {"check": record.check, "passed": record.passed,
                        "window_start": record.window_start.isoformat(),
                        "window_end": record.window_end.isoformat()})


def _worst(check: MetricCheck, values: dict[str, float | None]) -> dict[str, float | None]:
    if len(values) <= MAX_KEPT_SERIES:
        return values

    def badness(item: tuple[str, float | None]) -> float:
        value = item[1]
        if value is None:
            return float("inf")
        return value if check.below is not None else -value

    kept = sorted(values.items(), key=badness, reverse=True)[:MAX_KEPT_SERIES]
    return dict(kept)


def _thin(samples: list[EvidenceSample]) -> list[EvidenceSample]:
    if len(samples) <= MAX_KEPT_SAMPLES:
        return samples
    step = len(samples) / (MAX_KEPT_SAMPLES - 1)
    kept = [samples[int(i * step)] for i in range(MAX_KEPT_SAMPLES - 1)]
    return [*kept, samples[-1]]


def _progress_line(check: MetricCheck, values: dict[str, float | None], ok: bool,
                   elapsed: float, window: float) -> str:
    shown = ", ".join("NaN" if v is None else f"{v:g}" for v in values.values()) or "no data"
    where = f" [{_clock(elapsed)} of {_clock(window)}]" if window else ""
    verdict = "ok" if ok else "FAIL"
    bound = " and ".join(
        ([f"< {check.below:g}"] if check.below is not None else [])
        + ([f"> {check.above:g}"] if check.above is not None else []))
    return f"{check.name}: {shown} (want {bound}) {verdict}{where}"


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"
