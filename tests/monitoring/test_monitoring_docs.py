"""docs/monitoring.md: its configuration loads, and its shell and Python examples run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from incident_beads.config import load_config
from tests.monitoring.conftest import RECORDED
from tests.monitoring.fake_prometheus import FakePrometheus, fake_prometheus

DOC = Path(__file__).resolve().parents[2] / "docs" / "monitoring.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.fixture
def prometheus() -> Iterator[FakePrometheus]:
    (config,) = blocks("toml")
    checks = tomllib.loads(config)["monitoring"]["checks"].values()
    with fake_prometheus({c["query"]: [[1.0 if "above" in c else 0.01]] for c in checks}) as fake:
        yield fake


@pytest.fixture
def doc_repo(store_repo: Path, prometheus: FakePrometheus) -> Path:
    """A repository configured as the page says, with Prometheus at the stand-in's address."""
    (config,) = blocks("toml")
    (store_repo / ".incident-beads.toml").write_text(
        config.replace("http://127.0.0.1:9090", prometheus.url))
    shutil.copyfile(RECORDED / "firing.json", store_repo / "payload.json")
    return store_repo


def test_the_configuration_loads(doc_repo: Path) -> None:
    checks = load_config(doc_repo).monitoring.checks
    assert sorted(checks) == ["checkout-errors", "checkout-up"]


def test_the_alertmanager_config_points_at_the_receiver() -> None:
    (config,) = blocks("yaml")
    hook = yaml.safe_load(config)["receivers"][0]["webhook_configs"][0]
    assert hook["url"] == "http://127.0.0.1:9095/" and hook["send_resolved"] is True


def test_the_walk_through_runs(doc_repo: Path) -> None:
    (script,) = blocks("sh")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=doc_repo, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "duplicate" in done.stdout and "checkout-errors passed" in done.stdout
    assert "Duration:" in done.stdout  # the resolution message


def test_the_python_example_runs(doc_repo: Path) -> None:
    (script,) = blocks("python")
    done = subprocess.run([sys.executable, "-c", script], cwd=doc_repo, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(DOC.parents[1])})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("declared ") and "checkout-errors passed" in done.stdout


def test_every_monitoring_key_is_documented(tmp_path: Path) -> None:
    import dataclasses

    from incident_beads.config import MetricCheck, MonitoringConfig

    page = (DOC.parent / "configuration.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(\[monitoring\].*?)```", page, re.S)
    (tmp_path / ".incident-beads.toml").write_text(block)
    config = load_config(tmp_path).monitoring
    assert config.checks["checkout-errors"].below == 0.5
    for field in dataclasses.fields(MonitoringConfig):
        assert re.search(rf"^{field.name}\s*=|^\[monitoring\.{field.name}", block, re.M), field.name
    for field in dataclasses.fields(MetricCheck):
        if field.name not in ("name", "above"):
            assert re.search(rf"^{field.name}\s*=", block, re.M), field.name


@pytest.mark.parametrize(("text", "named"), [
    ("[monitoring]\nprometheus = 'x'\n", "monitoring.prometheus"),
    ("[monitoring.checks.x]\nquery = 'up'\n", "needs `below` or `above`"),
    ("[monitoring.checks.x]\nbelow = 1\n", "monitoring.checks.x.query"),
    ("[monitoring.checks.x]\nquery = 'up'\nbelow = 'low'\n", "monitoring.checks.x.below"),
    ("[monitoring.checks.x]\nquery = 'up'\nbelow = 1\nfor = '5m'\n", "monitoring.checks.x.for"),
    ("[monitoring.severity_map]\ncritical = 'P1'\n", "SEV-1..SEV-4"),
    ("[monitoring]\ndefault_severity = 'SEV-9'\n", "default_severity"),
    ("[monitoring]\ncheck = 1\n", "monitoring.check"),
])
def test_monitoring_mistakes_are_refused_by_name(tmp_path: Path, text: str, named: str) -> None:
    from incident_beads.errors import MalformedFile

    (tmp_path / ".incident-beads.toml").write_text(text)
    with pytest.raises(MalformedFile) as refused:
        load_config(tmp_path)
    assert named in refused.value.message
