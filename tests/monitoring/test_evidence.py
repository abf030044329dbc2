"""Evidence from metrics: checks measured against Prometheus's query API and recorded."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from incident_beads import IncidentResponse, collector
from incident_beads.clock import ReplayClock
from incident_beads.config import load_config
from incident_beads.errors import CheckFailed, InvalidInput, MonitoringUnavailable, Refused
from incident_beads.metrics.evidence import measure
from tests.cli_runner import run_incident
from tests.lifecycle.lifecycle_helpers import CONFIRMED, resolve
from tests.monitoring.fake_prometheus import FakePrometheus, fake_prometheus
from tests.monitoring.stack import free_port

QUERY = "sum by (instance) (rate(app_errors_total[5m]))"
STORE = Path(".beads") / "issues.jsonl"


def configure(root: Path, url: str, *, extra: str = "") -> None:
    (root / ".incident-beads.toml").write_text(
        f'[monitoring]\nprometheus_url = "{url}"\nwatch_interval_seconds = 30\n'
        f'[monitoring.checks.checkout-errors]\nquery = "{QUERY}"\nbelow = 0.5\n'
        f'service = "checkout"\n{extra}')


class Ticker:
    """A monotonic timer that moves only when the code under test sleeps."""

    def __init__(self, clock: ReplayClock) -> None:
        self.now, self.clock = 0.0, clock
        self.slept: list[float] = []

    def timer(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        self.clock.advance(seconds=seconds)


@pytest.fixture
def prometheus() -> Iterator[FakePrometheus]:
    with fake_prometheus({QUERY: [[0.01, 0.02]]}) as fake:
        yield fake


def open_api(root: Path, clock: ReplayClock) -> tuple[IncidentResponse, str]:
    api = IncidentResponse(root, clock=clock, actor="ada", config=load_config(root))
    incident = api.declare("Checkout failing", severity=2, services=["checkout"])
    return api, incident.id


def test_one_measurement_is_recorded_with_query_window_and_values(
        store_repo: Path, clock: ReplayClock, prometheus: FakePrometheus) -> None:
    configure(store_repo, prometheus.url)
    api, incident_id = open_api(store_repo, clock)
    (record,) = measure(api, incident_id)
    assert prometheus.asked == [QUERY]
    stored = api.get(incident_id).state.evidence
    assert stored == [record] and record.passed and record.check == "checkout-errors"
    assert record.query == QUERY and record.below == 0.5 and record.prometheus_url == prometheus.url
    assert record.samples[0].values == {'{instance="i0", job="checkout"}': 0.01,
                                        '{instance="i1", job="checkout"}': 0.02}
    assert record.window_start == record.window_end == clock()
    event = api.get(incident_id).state.timeline[-1]
    assert event.kind == "evidence" and "checkout-errors passed" in event.text


def test_watch_samples_over_the_window(store_repo: Path, clock: ReplayClock,
                                       prometheus: FakePrometheus) -> None:
    configure(store_repo, prometheus.url)
    api, incident_id = open_api(store_repo, clock)
    ticker, lines = Ticker(clock), []
    start = clock()
    (record,) = measure(api, incident_id, watch=timedelta(minutes=2),
                        progress=lines.append, sleep=ticker.sleep, timer=ticker.timer)
    assert ticker.slept == [30.0] * 4 and len(record.samples) == 5 == len(lines)
    assert record.passed and record.window_end - record.window_start == timedelta(minutes=2)
    assert record.window_start == start
    assert lines[-1] == "checkout-errors: 0.01, 0.02 (want < 0.5) ok [2:00 of 2:00]"


def test_a_watch_runs_with_the_garbage_collector_on(store_repo: Path, clock: ReplayClock,
                                                    prometheus: FakePrometheus) -> None:
    configure(store_repo, prometheus.url)
    api, incident_id = open_api(store_repo, clock)
    ticker, seen = Ticker(clock), []
    with collector.paused():  # as the command line runs a command
        measure(api, incident_id, watch=timedelta(minutes=1), sleep=ticker.sleep,
                timer=ticker.timer, progress=lambda line: seen.append(gc.isenabled()))
    assert seen and all(seen)


def test_watch_stops_at_the_first_failure_and_records_it(store_repo: Path,
                                                          clock: ReplayClock) -> None:
    with fake_prometheus({QUERY: [[0.1], [0.2], [3.5], [0.1]]}) as fake:
        configure(store_repo, fake.url)
        api, incident_id = open_api(store_repo, clock)
        ticker = Ticker(clock)
        with pytest.raises(CheckFailed) as failed:
            measure(api, incident_id, watch=timedelta(minutes=15), sleep=ticker.sleep,
                    timer=ticker.timer)
    assert len(fake.asked) == 3 and ticker.slept == [30.0, 30.0]
    assert "3.5, not below 0.5" in failed.value.message and "(recorded)" in failed.value.message
    (record,) = api.get(incident_id).state.evidence
    assert not record.passed and len(record.samples) == 3


@pytest.mark.parametrize(("values", "why"), [
    (None, "no data"), ([float("nan")], "not a number"), ([0.1, 0.7], "not below 0.5")])
def test_no_data_and_nan_fail(store_repo: Path, clock: ReplayClock, values: list[float] | None,
                              why: str) -> None:
    with fake_prometheus({QUERY: [values]}) as fake:
        configure(store_repo, fake.url)
        api, incident_id = open_api(store_repo, clock)
        with pytest.raises(CheckFailed, match=why):
            measure(api, incident_id)


def test_above_bounds_too(store_repo: Path, clock: ReplayClock) -> None:
    with fake_prometheus({QUERY: [[0.01]], "up": [[1.0]]}) as fake:
        configure(store_repo, fake.url, extra='[monitoring.checks.up]\nquery = "up"\nabove = 0\n')
        api, incident_id = open_api(store_repo, clock)
        records = measure(api, incident_id)
    assert [r.check for r in records] == ["checkout-errors", "up"]
    assert all(r.passed for r in records)


def test_prometheus_unreachable_names_the_url_and_records_nothing(
        store_repo: Path, clock: ReplayClock, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    configure(store_repo, url)
    api, incident_id = open_api(store_repo, clock)
    before = (store_repo / STORE).read_bytes()
    with pytest.raises(MonitoringUnavailable, match=url.replace(".", r"\.")):
        measure(api, incident_id)
    code, out, err = run_incident(capsys, store_repo, "evidence", incident_id)
    assert code == 1 and out == "" and url in err and len(err.strip().splitlines()) == 1
    assert (store_repo / STORE).read_bytes() == before


def test_a_query_prometheus_refuses_is_one_line(store_repo: Path, clock: ReplayClock) -> None:
    with fake_prometheus({"something else": [[1.0]]}) as fake:
        configure(store_repo, fake.url)
        api, incident_id = open_api(store_repo, clock)
        with pytest.raises(InvalidInput, match="parse error"):
            measure(api, incident_id)
    assert api.get(incident_id).state.evidence == []


def test_checks_are_chosen_by_name_or_service(store_repo: Path, clock: ReplayClock,
                                              prometheus: FakePrometheus) -> None:
    configure(store_repo, prometheus.url)
    api, _ = open_api(store_repo, clock)
    other = api.declare("Search slow", severity=3, services=["search"]).id
    with pytest.raises(Refused, match="no monitoring check applies"):
        measure(api, other)
    with pytest.raises(InvalidInput, match="no check named nope"):
        measure(api, other, checks=["nope"])
    assert measure(api, other, checks=["checkout-errors"])[0].passed


def test_without_monitoring_configured_evidence_is_refused(store_repo: Path,
                                                           clock: ReplayClock) -> None:
    api, incident_id = open_api(store_repo, clock)
    with pytest.raises(Refused, match="monitoring is not configured"):
        measure(api, incident_id)


def test_cli_watch_prints_progress_and_the_summary(store_repo: Path, clock: ReplayClock,
                                                   prometheus: FakePrometheus,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    configure(store_repo, prometheus.url)
    _, incident_id = open_api(store_repo, clock)
    code, out, err = run_incident(capsys, store_repo, "evidence", incident_id, "--watch", "1s",
                                  "--every", "0.5")
    assert code == 0 and out.startswith(incident_id) and "checkout-errors passed" in out
    assert err.count("checkout-errors: 0.01, 0.02 (want < 0.5) ok") >= 2
    code, _, err = run_incident(capsys, store_repo, "evidence", incident_id, "--watch", "soon")
    assert code == 1 and "cannot read the duration" in err


# resolve: measured evidence in place of typed, and the rules around it -----------------------
def test_resolve_accepts_recorded_passing_evidence(store_repo: Path, clock: ReplayClock,
                                                   prometheus: FakePrometheus) -> None:
    configure(store_repo, prometheus.url)
    api, incident_id = open_api(store_repo, clock)
    measure(api, incident_id)
    api.schedule_postmortem(incident_id, at="+1d", owner="ada")
    resolved = resolve(api, incident_id, monitoring_evidence="")
    checklist = resolved.state.resolution.checklist  # type: ignore[union-attr]
    assert checklist.evidence_kind == "measured"
    assert "checkout-errors passed" in checklist.monitoring_evidence
    draft = (store_repo / api.knowledge.postmortem_draft(incident_id).path).read_text()
    assert "Monitoring evidence (measured by Prometheus checks)" in draft
    criterion = api.check(incident_id).criteria[2]
    assert criterion.met and criterion.detail.startswith("evidence (measured): checkout-errors")
    resolve_section = draft.split("section Resolve", 1)[1]
    assert "Monitoring evidence checkout-errors passed" in resolve_section


def test_resolve_refuses_while_the_latest_evidence_fails(store_repo: Path,
                                                         clock: ReplayClock) -> None:
    with fake_prometheus({QUERY: [[0.9], [0.1]]}) as fake:
        configure(store_repo, fake.url)
        api, incident_id = open_api(store_repo, clock)
        api.schedule_postmortem(incident_id, at="+1d", owner="ada")
        with pytest.raises(CheckFailed):
            measure(api, incident_id)
        with pytest.raises(Refused, match="latest measured evidence fails"):
            resolve(api, incident_id)
        with pytest.raises(Refused, match="latest measured evidence fails"):
            resolve(api, incident_id, monitoring_evidence="")
        clock.advance(minutes=5)
        measure(api, incident_id)  # the fix holds now: the latest measurement passes
    assert resolve(api, incident_id).state.resolution.checklist.evidence_kind == "measured"  # type: ignore[union-attr]


def test_a_person_may_accept_failing_evidence(store_repo: Path, clock: ReplayClock) -> None:
    with fake_prometheus({QUERY: [[0.9]]}) as fake:
        configure(store_repo, fake.url)
        api, incident_id = open_api(store_repo, clock)
        api.schedule_postmortem(incident_id, at="+1d", owner="ada")
        with pytest.raises(CheckFailed):
            measure(api, incident_id)
    api.acknowledge_risk(incident_id, "evidence-failing", by="grace",
                         note="the alert threshold is wrong; users confirm it works")
    checklist = resolve(api, incident_id).state.resolution.checklist  # type: ignore[union-attr]
    assert checklist.evidence_kind == "typed"
    assert checklist.monitoring_evidence == CONFIRMED["monitoring_evidence"]


def test_typed_evidence_is_refused_where_checks_apply_and_none_ran(
        store_repo: Path, clock: ReplayClock, prometheus: FakePrometheus) -> None:
    configure(store_repo, prometheus.url)
    api, incident_id = open_api(store_repo, clock)
    api.schedule_postmortem(incident_id, at="+1d", owner="ada")
    with pytest.raises(Refused, match="none was measured"):
        resolve(api, incident_id)
    api.acknowledge_risk(incident_id, "evidence-not-measured", by="grace", note="dashboards")
    assert resolve(api, incident_id).state.resolution.checklist.evidence_kind == "typed"  # type: ignore[union-attr]


def test_without_monitoring_typed_evidence_works_and_says_so(store_repo: Path,
                                                             clock: ReplayClock) -> None:
    api, incident_id = open_api(store_repo, clock)
    api.schedule_postmortem(incident_id, at="+1d", owner="ada")
    checklist = resolve(api, incident_id).state.resolution.checklist  # type: ignore[union-attr]
    assert checklist.evidence_kind == "typed"
    draft = (store_repo / api.knowledge.postmortem_draft(incident_id).path).read_text()
    assert "Monitoring evidence (typed, not measured)" in draft
    with pytest.raises(Refused, match="monitoring confirms stability"):
        other = api.declare("Other", severity=3)
        resolve(api, other.id, monitoring_evidence="")


def test_many_series_keep_the_ones_nearest_failing(store_repo: Path, clock: ReplayClock) -> None:
    values = [float(n) / 1000 for n in range(300)]
    with fake_prometheus({QUERY: [values]}) as fake:
        configure(store_repo, fake.url)
        api, incident_id = open_api(store_repo, clock)
        (record,) = measure(api, incident_id)
    kept = record.samples[0].values
    assert record.passed and len(kept) == 20 and min(v for v in kept.values() if v) == 0.28
