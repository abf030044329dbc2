"""Titles, messages and arguments with quotes, `;`, `$(...)` and newlines reach git and the
deploy command unchanged, never through a shell."""

from __future__ import annotations

import sys
from pathlib import Path

from hotfix_helpers import MakeApi, git_run, ready_incident, write_fix

ODD_TITLE = "Checkout \"total\" is 'wrong'; $(touch pwned) `id` & <b>"


def test_odd_title_and_messages_reach_git_verbatim(make_api: MakeApi, hot_repo: Path,
                                                   tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    argv = (sys.executable, "-c", "import sys; print(repr(sys.argv[1:]))",
            "{incident}", "$(touch " + str(marker) + ")", "a;b", "line1\nline2")
    api = make_api(deploy_command=argv)
    incident_id = ready_incident(api, title=ODD_TITLE)
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    assert api.store.get(hid).title == f"Hotfix: {ODD_TITLE}"
    write_fix(hot_repo)
    message = "Fix \"it\"; $(rm -rf /)\n\n# not a comment\nsecond line `id`"
    sha = api.hotfixes.commit(hid, message)
    body = git_run(hot_repo, "log", "-1", "--format=%B", sha)
    assert body.startswith(message) and body.endswith(f"Incident: {incident_id}")
    api.hotfixes.review(hid, reviewer="O'Brien; $(id)", approve=True, fixes_issue=True,
                        adds_issues=False, note="fine\n$(whoami)")
    api.hotfixes.gate(hid, "tests", done=False, reason="skip; $(later)")
    api.hotfixes.staging(hid, passed=True, note="ok")
    tag = api.hotfixes.tag(hid)
    contents = git_run(hot_repo, "tag", "-l", "--format=%(contents)", tag.name)
    assert ODD_TITLE in contents and incident_id in contents
    record = api.hotfixes.deploy(hid)
    printed = record.output_tail.strip()
    assert printed == repr([incident_id, f"$(touch {marker})", "a;b", "line1\nline2"])
    assert not marker.exists()


def test_a_title_git_would_strip_as_a_comment_is_kept(make_api: MakeApi, hot_repo: Path) -> None:
    api = make_api()
    incident_id = ready_incident(api, title="#1 checkout outage")
    hid = api.hotfixes.start(incident_id, scope=["app.py"]).id
    write_fix(hot_repo)
    api.hotfixes.commit(hid, "Fix")
    api.hotfixes.review(hid, reviewer="grace", approve=True, fixes_issue=True, adds_issues=False)
    tag = api.hotfixes.tag(hid)
    assert "#1 checkout outage" in git_run(hot_repo, "tag", "-l", "--format=%(contents)",
                                           tag.name)
