"""The examples in docs/notify.md run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from incident_beads.config import load_config
from incident_beads.notify.channels import expand, variables

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "notify.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_python_example_runs(tmp_path: Path) -> None:
    [example] = blocks("python")
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(DOC.parent.parent)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith("Checkout returns 502: incident declared")
    assert lines[1].endswith("Checkout returns 502: Identified")
    assert lines[2:] == ["[]", "['declared', 'update']"]


def test_shell_examples_run(store_repo: Path) -> None:
    [commands] = blocks("sh")
    (store_repo / ".incident-beads.toml").write_text('[notify]\nurls = ["json://127.0.0.1:9/x"]\n')
    for line in commands.splitlines():
        command = line.split("#", 1)[0].split()
        assert command[0] == "incident"
        done = subprocess.run([sys.executable, "-m", "incident_beads", *command[1:]],
                              cwd=store_repo, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (line, done.stderr)


def test_toml_example_is_a_valid_configuration(tmp_path: Path) -> None:
    [toml] = blocks("toml")
    (tmp_path / ".incident-beads.toml").write_text(toml)
    notify = load_config(tmp_path).notify
    assert notify.urls and notify.severity["SEV-1"] and notify.kind["escalation"]
    import apprise

    urls = [*notify.urls, *notify.severity["SEV-1"], *notify.kind["escalation"],
            *notify.kind["resolved"]]
    for template in urls:  # with made-up secrets, Apprise takes each URL as written
        url, _secrets = expand(template, {name: f"Ab{n}cD{n}x9" for n, name
                                          in enumerate(variables(template))})
        assert apprise.Apprise().add(url), template
