"""The "while we're here" flags on the diff from the hotfix base."""

from __future__ import annotations

from pathlib import Path

from hotfix_helpers import MakeApi, git_run, ready_incident, write_fix

from incident_beads import IncidentResponse
from incident_beads.hotfix.scope import in_scope


def _start(api: IncidentResponse, scope: list[str]) -> str:
    return api.hotfixes.start(ready_incident(api), scope=scope).id


def _kinds(api: IncidentResponse, hid: str) -> list[str]:
    return [f.kind for f in api.hotfixes.scope(hid).flags]


def test_a_minimal_fix_raises_no_flag(api: IncidentResponse, hot_repo: Path) -> None:
    hid = _start(api, ["app.py"])
    write_fix(hot_repo)
    api.hotfixes.commit(hid, "Fix")
    report = api.hotfixes.scope(hid)
    assert report.flags == () and report.lines == 2
    assert [(f.path, f.added, f.removed) for f in report.files] == [("app.py", 1, 1)]


def test_file_outside_the_declared_scope(api: IncidentResponse, hot_repo: Path) -> None:
    hid = _start(api, ["src/"])
    write_fix(hot_repo, "src/cart.py", "total = 1\n")
    write_fix(hot_repo, "setup.cfg", "[x]\n")
    api.hotfixes.commit(hid, "Fix")
    flags = api.hotfixes.scope(hid).flags
    assert [(f.kind, f.path) for f in flags] == [("out-of-scope", "setup.cfg")]


def test_no_declared_scope_is_a_flag_until_declared(api: IncidentResponse,
                                                    hot_repo: Path) -> None:
    hid = _start(api, [])
    write_fix(hot_repo)
    api.hotfixes.commit(hid, "Fix")
    assert _kinds(api, hid) == ["no-scope"]
    report = api.hotfixes.scope(hid, declare=["app.py"])
    assert report.flags == () and report.declared == ("app.py",)
    assert api.hotfixes.get(hid).state.scope == ["app.py"]


def test_rename_is_flagged(api: IncidentResponse, hot_repo: Path) -> None:
    hid = _start(api, ["*.py"])
    git_run(hot_repo, "mv", "app.py", "main.py")
    api.hotfixes.commit(hid, "Rename")
    assert _kinds(api, hid) == ["rename"]


def test_formatting_only_hunk_is_flagged(api: IncidentResponse, hot_repo: Path) -> None:
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(8))
    (hot_repo / "calc.py").write_text(body)
    git_run(hot_repo, "add", "calc.py")
    git_run(hot_repo, "commit", "-q", "-m", "Add calc")
    hid = _start(api, ["calc.py"])
    lines = body.splitlines(keepends=True)
    lines[1] = "    return x + 0  # the fix\n"
    lines[-3] = "    return   x + 7\n"  # reformatted far away from the fix
    write_fix(hot_repo, "calc.py", "".join(lines))
    api.hotfixes.commit(hid, "Fix f0, reformat f7")
    flags = api.hotfixes.scope(hid).flags
    assert [f.kind for f in flags] == ["formatting-only"]
    assert "1 of 2 hunk(s)" in flags[0].message


def test_too_many_lines(make_api: MakeApi, hot_repo: Path) -> None:
    api = make_api(max_changed_lines=5)
    hid = _start(api, ["app.py"])
    write_fix(hot_repo, "app.py", "".join(f"print({i})\n" for i in range(10)))
    api.hotfixes.commit(hid, "Fix")
    report = api.hotfixes.scope(hid)
    assert [f.kind for f in report.flags] == ["too-many-lines"]
    assert "max_changed_lines" in report.flags[0].message


def test_store_changes_are_not_part_of_the_fix(api: IncidentResponse, hot_repo: Path) -> None:
    hid = _start(api, ["app.py"])
    write_fix(hot_repo)
    git_run(hot_repo, "add", ".beads/issues.jsonl")
    api.hotfixes.commit(hid, "Fix")
    assert [f.path for f in api.hotfixes.scope(hid).files] == ["app.py"]


def test_scope_matching() -> None:
    assert in_scope("src/a/b.py", ["src"]) and in_scope("src/a/b.py", ["src/"])
    assert in_scope("x.py", ["*.py"]) and not in_scope("srcx/a.py", ["src"])
