"""The command line in bd's conventions: short flags, several ids, `close`, "did you mean"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from incident_beads.beads.store import BeadsStore
from incident_beads.beads.suggest import did_you_mean, one_slip_away
from tests.cli_runner import run_incident as run

Capsys = pytest.CaptureFixture[str]
CHECKLIST = ["--root-cause", "v42 broke it", "--no-longer-occurring", "--error-rates-normal",
             "--users-can-use-feature", "--evidence", "5xx at baseline 30 min",
             "--stakeholders-notified"]


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENT_BEADS_NOW", "2026-01-15T10:00:00Z")


def incident(capsys: Capsys, repo: Path, sev: str = "3") -> str:
    code, out, err = run(capsys, repo, "create", "Checkout down", "--sev", sev, "--who", "all",
                         "--what", "checkout", "--json")
    assert code == 0, err
    return str(json.loads(out)["id"])


def test_list_takes_bd_short_flags(capsys: Capsys, store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    bug = store.create("Bug", issue_type="bug", priority=1, labels=["backend"])
    store.create("Task", issue_type="task", priority=2)
    third = store.create("Another bug", issue_type="bug", priority=1, labels=["backend"])
    store.update(third.id, status="in_progress")
    rows = json.loads(run(capsys, store_repo, "list", "-t", "bug", "-p", "1", "-l", "backend",
                          "--json").out)
    assert sorted(r["id"] for r in rows) == sorted([bug.id, third.id])
    rows = json.loads(run(capsys, store_repo, "list", "-s", "in_progress", "--json").out)
    assert [r["id"] for r in rows] == [third.id]
    assert len(json.loads(run(capsys, store_repo, "list", "-n", "2", "--json").out)) == 2
    text = run(capsys, store_repo, "list", "--limit", "1").out
    assert len(text.splitlines()) == 2 and "(1 of 3 shown; --limit 0 shows all)" in text


def test_an_empty_list_says_so_in_a_sentence(capsys: Capsys, store_repo: Path) -> None:
    assert run(capsys, store_repo, "list").out == \
        "No open issues. (--all includes closed ones)\n"
    assert run(capsys, store_repo, "list", "-l", "incident", "-p", "0").out == \
        "No open issues with label incident, priority P0. (--all includes closed ones)\n"
    assert run(capsys, store_repo, "list", "--json").out == "[]\n"
    assert run(capsys, store_repo, "overdue").out.startswith("No open incident is overdue")
    assert run(capsys, store_repo, "action", "list").out == "No open action items.\n"


def test_show_takes_several_ids_and_prints_a_json_array(capsys: Capsys,
                                                        store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    first, second = store.create("One"), store.create("Two")
    shown = json.loads(run(capsys, store_repo, "show", first.id, second.id, "--json").out)
    assert [i["id"] for i in shown] == [first.id, second.id]
    assert json.loads(run(capsys, store_repo, "show", first.id, "--json").out)[0]["title"] == \
        "One"
    text = run(capsys, store_repo, "show", first.id, second.id).out
    assert f"{first.id}: One" in text and f"{second.id}: Two" in text


def test_an_id_missing_a_character_gets_did_you_mean(capsys: Capsys, store_repo: Path) -> None:
    issue = BeadsStore(store_repo).create("One")
    typed = issue.id[:-2] + issue.id[-1]  # one character left out
    code, out, err = run(capsys, store_repo, "show", typed)
    assert code == 1 and out == ""
    assert f"did you mean {issue.id}?" in err
    code, _, err = run(capsys, store_repo, "update", typed, "--status", "investigating",
                       "--impact", "i", "--action", "a")
    assert code == 1 and f"did you mean {issue.id}?" in err
    code, _, err = run(capsys, store_repo, "show", "zz-nothing-like-it")
    assert "did you mean" not in err and "incident list --all" in err


@pytest.mark.parametrize(("typed", "known", "close"), [
    ("bd-a1b", "bd-a1b2", True),     # missing
    ("bd-a1b22", "bd-a1b2", True),   # extra
    ("bd-a1c2", "bd-a1b2", True),    # wrong
    ("bd-1ab2", "bd-a1b2", True),    # swapped
    ("BD-A1B2", "bd-a1b2", True),    # case
    ("bd-a1", "bd-a1b2", False),     # two missing
    ("bd-x9y8", "bd-a1b2", False),
])
def test_one_slip_away(typed: str, known: str, close: bool) -> None:
    assert one_slip_away(typed, known) is close


def test_did_you_mean_offers_few_and_never_the_same(capsys: Capsys) -> None:
    known = ["bd-1", "bd-2", "bd-3", "bd-4", "bd-10"]
    assert did_you_mean("bd-", known) == ["bd-1", "bd-2", "bd-3"]
    assert did_you_mean("bd-1", known) == ["bd-2", "bd-3", "bd-4"]


def test_update_status_resolved_points_to_resolve(capsys: Capsys, store_repo: Path) -> None:
    incident_id = incident(capsys, store_repo)
    code, out, err = run(capsys, store_repo, "update", incident_id, "--status", "resolved")
    assert code == 1 and out == ""
    assert f"incident resolve {incident_id} --resolution" in err
    assert "--stakeholders-notified" in err
    # Without --impact an ordinary update is still a usage error naming the option.
    code, _, err = run(capsys, store_repo, "update", incident_id, "--status", "identified",
                       "--action", "a")
    assert code == 2 and "--impact" in err


def test_close_is_bd_close_for_tasks(capsys: Capsys, store_repo: Path) -> None:
    store = BeadsStore(store_repo)
    first, second = store.create("Add a canary"), store.create("Write the test")
    code, out, _ = run(capsys, store_repo, "close", first.id, second.id, "-r", "done",
                       "--json")
    assert code == 0
    assert [(i["id"], i["status"], i["close_reason"]) for i in json.loads(out)] == \
        [(first.id, "closed", "done"), (second.id, "closed", "done")]
    third = store.create("Third")
    assert run(capsys, store_repo, "close", third.id).out == f"{third.id}  closed: Closed\n"


def test_close_checks_every_id_before_closing_any(capsys: Capsys, store_repo: Path) -> None:
    issue = BeadsStore(store_repo).create("Add a canary")
    code, _, _ = run(capsys, store_repo, "close", issue.id, "nope-1")
    assert code == 1
    assert BeadsStore(store_repo).get(issue.id).status == "open"


def test_close_of_an_incident_is_the_resolve_checklist(capsys: Capsys,
                                                       store_repo: Path) -> None:
    incident_id = incident(capsys, store_repo)
    run(capsys, store_repo, "mitigate", incident_id, "--option", "rollback", "--result",
        "worked")
    code, _, err = run(capsys, store_repo, "close", incident_id, "-r", "Rolled back")
    assert code == 1 and "--root-cause" in err
    assert BeadsStore(store_repo).get(incident_id).status == "open"
    code, _, err = run(capsys, store_repo, "close", incident_id, "-r", "Rolled back",
                       "--root-cause", "v42")
    assert code == 1 and "--no-longer-occurring" in err
    code, out, err = run(capsys, store_repo, "close", incident_id, "-r", "Rolled back",
                         *CHECKLIST)
    assert code == 0, err
    assert out.startswith(f"{incident_id}  closed: Resolution: Rolled back")
    assert "Root cause: v42 broke it" in out
    closed = BeadsStore(store_repo).get(incident_id)
    assert closed.status == "closed" and closed.close_reason.startswith("Resolution: ")


def test_close_of_a_sev1_needs_the_postmortem_like_resolve(capsys: Capsys,
                                                           store_repo: Path) -> None:
    incident_id = incident(capsys, store_repo, sev="1")
    run(capsys, store_repo, "mitigate", incident_id, "--option", "rollback", "--result",
        "worked")
    code, _, err = run(capsys, store_repo, "close", incident_id, "-r", "x", *CHECKLIST)
    assert code == 1 and "postmortem schedule" in err
    assert BeadsStore(store_repo).get(incident_id).status == "open"


def test_mitigate_prints_the_rung_and_result_recorded(capsys: Capsys, store_repo: Path) -> None:
    incident_id = incident(capsys, store_repo)
    code, out, _ = run(capsys, store_repo, "mitigate", incident_id, "--option", "rollback",
                       "--result", "failed", "--detail", "image missing")
    assert code == 0
    assert out.splitlines()[0] == \
        f"{incident_id}  recorded rung rollback: failed (image missing)"
    code, out, _ = run(capsys, store_repo, "mitigate", incident_id, "--option", "scale",
                       "--result", "in-progress", "--reason", "flags and config are not it")
    assert out.splitlines()[0] == (
        f"{incident_id}  recorded rung scale: in-progress (skipped feature-flag, "
        "config-change: flags and config are not it)")


def test_mitigate_says_what_it_recorded_before_it_escalates(capsys: Capsys,
                                                            store_repo: Path) -> None:
    incident_id = incident(capsys, store_repo)
    for rung in ("rollback", "feature-flag", "config-change"):
        assert run(capsys, store_repo, "mitigate", incident_id, "--option", rung, "--result",
                   "unavailable").code == 0
    code, out, err = run(capsys, store_repo, "mitigate", incident_id, "--option", "scale",
                         "--result", "unavailable")
    assert code == 3 and "mitigations-exhausted" in err
    assert out == f"{incident_id}  recorded rung scale: unavailable\n"


def _complete(root: Path, words: str) -> list[str]:
    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1),
           "_INCIDENT_COMPLETE": "bash_complete"}
    done = subprocess.run([sys.executable, "-m", "incident_beads"], cwd=root,
                          env=env, capture_output=True, text=True, check=False)
    return [line.split(",", 1)[1] for line in done.stdout.splitlines()]


def test_ids_complete_in_the_shell(capsys: Capsys, store_repo: Path) -> None:
    incident_id = incident(capsys, store_repo)
    other = BeadsStore(store_repo).create("Unrelated")
    words = f"incident -C {store_repo} show "
    assert sorted(_complete(store_repo, words)) == sorted([incident_id, other.id])
    assert _complete(store_repo, f"incident -C {store_repo} mitigate {incident_id}") == \
        [incident_id]
    assert _complete(store_repo, f"incident -C {store_repo} hotfix status ") != []


def test_exit_codes_come_only_from_the_error_mapping() -> None:
    """No command exits by itself: `cli/_errors.py` turns every outcome into the exit code."""
    import ast

    import incident_beads.cli

    folder = Path(incident_beads.cli.__file__).parent
    found = []
    for path in sorted(folder.glob("*.py")):
        if path.name == "_errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "exit":
                found.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Raise) and "SystemExit" in ast.dump(node):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []
