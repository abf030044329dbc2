"""Security: names and links that try to leave the repository, shell characters that must
never run, markup in titles that must stay text in tables and Mermaid charts.

Every test works on a real repository (with a bare upstream) and a folder beside it that
stands for "outside": whatever happens, that folder must hold exactly what it held before.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from knowledge_fixtures import Clock, resolved
from markdown_it import MarkdownIt
from markdown_it.token import Token

from incident_beads import IncidentResponse
from incident_beads.errors import IncidentBeadsError
from incident_beads.guard.hookfile import section
from incident_beads.guard.install import install
from incident_beads.knowledge import markdown
from incident_beads.knowledge.api import Knowledge
from incident_beads.knowledge.runbooks import Runbooks
from incident_beads.mergedriver.register import driver_command
from tests.cli_runner import run_incident as cli
from tests.conftest import git
from tests.guard_helpers import merge, push, remote_oid, review_message
from tests.hotfix.hotfix_helpers import deployable

pytestmark = pytest.mark.reliability

# Names that try to leave the folder they name a file in.
ESCAPING_NAMES = ["../x", "../../../../tmp/owned", "/etc/passwd", "a/../../b", "a/b", "x\x00y",
                  "y" * 300, "..", ".", ".hidden", "~root", "C:\\x", "..\\..\\x", "a\nb", " x",
                  "x/", "\u2215etc\u2215passwd"]
# Shell metacharacters: each would create a file `pwned` if anything ran it through a shell.
SHELL = ("Checkout; touch pwned && $(touch pwned) `touch pwned` | tee pwned > pwned "
         "'q' \"dq\" \\ %s ${IFS} <(touch pwned) !! ~")
# Titles are one line (a newline is refused cleanly); the other texts may hold several.
SHELL_LINES = SHELL + "\nsecond line; touch pwned\r\n$(touch pwned)"
# Markup that must stay text: HTML, links, table cells, code spans, comment ends, Mermaid syntax.
EVIL = ("<script>alert(1)</script> | [link](javascript:alert(1)) `code` --> <!-- "
        "**bold** ![img](x.png) &amp; %%{init: {}}%% :crit, 2020-01-01, 1d ; # x ``` a:b")
EVIL_LINES = EVIL + "\n```\n</table>\n| a | b |"




def tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder` (without .git): file bytes, link targets, folders."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name == ".git" or name.startswith(".git/"):
            continue
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[name] = "dir"
        else:
            found[name] = path.read_bytes()
    return found


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(store_repo: Path, clock: Clock) -> IncidentResponse:
    return IncidentResponse(store_repo, clock=clock, actor="ada")


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[Path]:
    """A folder beside the repository with a secret in it; it must end exactly as it began."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text("# Secret\n\ntop secret\n")
    before = tree(folder)
    yield folder
    assert tree(folder) == before, "something was written outside the repository"


@pytest.fixture
def in_tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a scratch folder, where a `touch pwned` run by a shell would land."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def no_pwned(*folders: Path) -> None:
    for folder in folders:
        assert not list(folder.rglob("pwned")), f"a shell ran something in {folder}"


# names that try to leave the repository --------------------------------------------------------
@pytest.mark.parametrize("name", ESCAPING_NAMES)
def test_service_names_never_leave_the_runbooks_folder(tmp_path: Path, outside: Path,
                                                       name: str) -> None:
    store_repo = tmp_path / "work"
    store_repo.mkdir()
    before = tree(store_repo)
    runbooks = Runbooks(store_repo)
    for attempt in (lambda: runbooks.add(name, "Pool exhausted", resolution="restart"),
                    lambda: runbooks.read(name), lambda: runbooks.show(name),
                    lambda: Knowledge(store_repo).context("pool", service=name)):
        with pytest.raises(IncidentBeadsError):
            attempt()
    assert tree(store_repo) == before


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "a/../../b", "x\x00y", "y" * 300])
def test_the_cli_refuses_escaping_names_in_one_line(
        store_repo: Path, outside: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    before = tree(store_repo)
    for args in (["runbook", "add", name, "--issue", "Pool exhausted"], ["runbook", "show", name],
                 ["context", "pool", "--service", name], ["postmortem", "draft", name]):
        result = cli(capsys, store_repo, *args)
        assert result.code in (1, 2), args
        assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert tree(store_repo) == before


def test_an_incident_with_escaping_services_writes_only_under_docs(
        api: IncidentResponse, clock: Clock, store_repo: Path, outside: Path) -> None:
    incident = resolved(api, clock, "../../../outside/secret", severity=3,
                        services=["../outside", "/etc", "a/../../b"])
    Knowledge(store_repo, clock=clock).learn(incident)
    written = [name for name, kind in tree(store_repo).items() if kind != "dir"]
    assert all(name.startswith(("docs/", ".beads/")) or name == "app.py" for name in written)
    assert not (store_repo / "docs" / "runbooks").exists()  # no runbook for such a name
    assert any(name.startswith("docs/solutions/") for name in written)


@pytest.mark.parametrize("evil", ["../../outside/x", "a/b", "/tmp/x", "x\\..\\..\\y"])
def test_incident_ids_from_a_cloned_store_never_name_files_outside(
        api: IncidentResponse, clock: Clock, store_repo: Path, outside: Path,
        capsys: pytest.CaptureFixture[str], evil: str) -> None:
    # The store reads any id another tool wrote; the files named after it must stay inside.
    incident = resolved(api, clock, "Checkout 500s", severity=3)
    store = store_repo / ".beads" / "issues.jsonl"
    store.write_bytes(store.read_bytes().replace(f'"{incident}'.encode(),
                                                 json.dumps(evil)[:-1].encode()))
    before = tree(store_repo)
    knowledge = Knowledge(store_repo, clock=clock)
    for write in (knowledge.learn, knowledge.postmortem_draft):
        with pytest.raises(IncidentBeadsError, match="not a plain name"):
            write(evil)
    for args in (["learn", evil], ["postmortem", "draft", evil]):
        assert cli(capsys, store_repo, *args).code == 1
    assert tree(store_repo) == before


@pytest.mark.parametrize("key", ["critical_patterns", "runbooks_dir", "postmortems_dir",
                                 "solutions_dir"])
@pytest.mark.parametrize("value", ["../outside", "/tmp/elsewhere", ".git/hooks"])
def test_configured_folders_outside_the_repository_are_refused(
        api: IncidentResponse, clock: Clock, store_repo: Path, outside: Path,
        key: str, value: str) -> None:
    # A cloned repository's own settings must not make the tool write elsewhere.
    incident = resolved(api, clock, "Checkout 500s", severity=3, services=["api"])
    git_dir = tree(store_repo / ".git" / "hooks")
    (store_repo / ".incident-beads.toml").write_text(f'[knowledge]\n{key} = "{value}"\n')
    knowledge = Knowledge(store_repo, clock=clock)
    write = knowledge.postmortem_draft if key == "postmortems_dir" else knowledge.learn
    with pytest.raises(IncidentBeadsError, match="repository"):
        write(incident)
    assert tree(store_repo / ".git" / "hooks") == git_dir
    assert not Path("/tmp/elsewhere").exists()


# links that point outside ----------------------------------------------------------------------
def _link(store_repo: Path, relative: str, target: Path) -> None:
    path = store_repo / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


@pytest.mark.parametrize(("relative", "target"), [
    ("docs", "."),                                  # the whole docs folder
    ("docs/runbooks", "."),                          # one folder
    ("docs/solutions", "."),
    ("docs/critical-patterns.md", "secret.md"),      # one existing file
    ("docs/critical-patterns.md", "new.md"),         # a dangling link: would create a file
    ("docs/runbooks/checkout.md", "secret.md"),
])
def test_writing_through_a_link_out_of_the_repository_is_refused(
        api: IncidentResponse, clock: Clock, store_repo: Path, outside: Path,
        capsys: pytest.CaptureFixture[str], relative: str, target: str) -> None:
    _link(store_repo, relative, outside / target)
    incident = resolved(api, clock, "Checkout 500s", severity=3)  # its write-up step fails softly
    knowledge = Knowledge(store_repo, clock=clock)
    with pytest.raises(IncidentBeadsError, match="outside the repository"):
        knowledge.learn(incident)
    if relative in ("docs", "docs/runbooks", "docs/runbooks/checkout.md"):
        with pytest.raises(IncidentBeadsError, match="outside the repository"):
            Runbooks(store_repo).add("checkout", "Pool exhausted", resolution="restart")
    result = cli(capsys, store_repo, "learn", incident)
    assert result.code == 1 and "outside the repository" in result.err
    assert (store_repo / relative).is_symlink()


def test_a_postmortem_draft_linked_outside_is_refused(
        api: IncidentResponse, clock: Clock, store_repo: Path, outside: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    incident = resolved(api, clock, "Checkout 500s", severity=3)
    _link(store_repo, f"docs/postmortems/{incident}.md", outside / "secret.md")
    with pytest.raises(IncidentBeadsError, match="outside the repository"):
        Knowledge(store_repo, clock=clock).postmortem_draft(incident)
    assert cli(capsys, store_repo, "postmortem", "draft", incident).code == 1


def test_reading_a_runbook_through_a_link_out_does_not_show_it(
        store_repo: Path, outside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _link(store_repo, "docs/runbooks/checkout.md", outside / "secret.md")
    result = cli(capsys, store_repo, "runbook", "show", "checkout")
    assert result.code == 1 and "top secret" not in result.out + result.err
    result = cli(capsys, store_repo, "context", "pool", "--service", "checkout", "--json")
    assert "top secret" not in result.out + result.err


def test_resolving_still_closes_the_incident_when_docs_links_out(
        api: IncidentResponse, clock: Clock, store_repo: Path, outside: Path) -> None:
    _link(store_repo, "docs", outside)
    incident = resolved(api, clock, "Checkout 500s", severity=3)
    assert api.store.get(incident).status == "closed"


# shell characters ------------------------------------------------------------------------------
def test_shell_characters_in_every_text_are_stored_and_never_run(
        store_repo: Path, tmp_path: Path, in_tmp_cwd: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    def ok(*args: str) -> str:
        result = cli(capsys, store_repo, *args)
        assert result.code == 0, result.err
        return result.out

    created = json.loads(ok("create", SHELL, "--sev", "3", "--who", SHELL_LINES, "--what",
                            SHELL_LINES, "--error", SHELL_LINES, "--service", "checkout",
                            "--by", SHELL, "--json"))
    incident = created["id"]
    ok("update", incident, "--status", "investigating", "--impact", SHELL_LINES,
       "--action", SHELL_LINES)
    ok("mitigate", incident, "--option", "rollback", "--result", "worked",
       "--detail", SHELL_LINES)
    ok("resolve", incident, "--resolution", SHELL_LINES, "--root-cause", SHELL_LINES,
       "--no-longer-occurring", "--error-rates-normal", "--users-can-use-feature",
       "--monitoring", SHELL_LINES, "--stakeholders-notified")
    ok("learn", incident, "--deployment-safety", SHELL)
    ok("postmortem", "draft", incident)
    ok("runbook", "add", "checkout", "--issue", SHELL, "--diagnose", SHELL_LINES,
       "--symptom", SHELL_LINES)
    ok("report")
    (shown,) = json.loads(ok("show", incident, "--json"))
    assert shown["title"] == f"[SEV-3] {SHELL}"
    no_pwned(store_repo, in_tmp_cwd, tmp_path, Path(os.environ["HOME"]))


def test_deploy_and_staging_commands_from_the_settings_file_get_their_arguments_verbatim(
        store_repo: Path, tmp_path: Path, in_tmp_cwd: Path) -> None:
    seen = tmp_path / "argv.json"
    script = ("import json, sys; json.dump(sys.argv[1:], open(sys.argv[1], 'a')); "
              "open(sys.argv[1], 'a').write('\\n')")
    odd = ["$(touch pwned)", "`touch pwned`", "; touch pwned", "a && touch pwned",
           "'", '"', "x\ny", "{tag}|tee pwned"]
    argv = [sys.executable, "-c", script, str(seen), *odd]
    (store_repo / ".incident-beads.toml").write_text(
        f"[hotfix]\ndeploy_command = {json.dumps(argv)}\nstaging_command = {json.dumps(argv)}\n")
    git(store_repo, "add", "-A")
    git(store_repo, "commit", "-q", "-m", "Add the store and settings")
    git(store_repo, "push", "-q", "origin", "main")
    api = IncidentResponse(store_repo, clock=Clock(), actor="ada")
    hid = deployable(api, store_repo)
    tag = api.hotfixes.get(hid).state.tag
    api.hotfixes.deploy(hid)
    runs = [json.loads(line) for line in seen.read_text().splitlines()]
    assert runs and all(run[1:-1] == odd[:-1] for run in runs)
    assert all(run[-1].endswith("|tee pwned") and "{tag}" not in run[-1] for run in runs)
    assert runs[-1][-1] == f"{tag}|tee pwned"
    no_pwned(store_repo, in_tmp_cwd, tmp_path)


@pytest.mark.parametrize("incident", ["x$(touch${IFS}pwned)", "q`touch${IFS}pwned`",
                                      "a';touch${IFS}pwned;'b",
                                      'd"$(touch${IFS}pwned)";touch${IFS}pwned'])
def test_the_guard_fix_for_an_odd_branch_name_runs_safely_in_a_shell(
        repo: Path, tmp_path: Path, incident: str) -> None:
    # People paste the printed fix into a shell: the names in it must be quoted.
    install(repo)
    branch = f"hotfix/incident-{incident}"
    git(repo, "checkout", "-q", "-b", branch)
    (repo / "fix.py").write_text("fixed\n")
    git(repo, "add", "fix.py")
    git(repo, "commit", "-q", "-m", "Fix it")
    merged = merge(repo, branch)
    done = push(repo, "origin", "main")
    assert done.returncode != 0, done.stderr
    fix = next(line for line in done.stderr.splitlines() if "fix: " in line)
    # The fix runs `incident hotfix review` and `incident hotfix tag`: a stand-in that records
    # the arguments it gets and, for `tag`, makes the reviewed tag the tool would make.
    bin_dir, log, message = tmp_path / "bin", tmp_path / "incident-args", tmp_path / "message"
    bin_dir.mkdir()
    message.write_text(review_message(repo, incident, merged))
    stub = bin_dir / "incident"
    stub.write_text('#!/bin/sh\nprintf "%s\\n" "$@" >> "$STUB_LOG"\n'
                    'if [ "$1" = hotfix ] && [ "$2" = tag ]; then\n'
                    '  exec git tag -a "hotfix-$3" -F "$STUB_MESSAGE" HEAD\nfi\n')
    stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "STUB_LOG": str(log), "STUB_MESSAGE": str(message)}
    subprocess.run(fix.split("fix: ", 1)[1], shell=True, cwd=repo, check=True,
                   capture_output=True, env=env)
    given = log.read_text().splitlines()
    assert given[:3] == ["hotfix", "review", incident] and given[-3:] == ["hotfix", "tag", incident]
    assert remote_oid(tmp_path / "upstream.git", "main") == merged
    no_pwned(repo, tmp_path)


# markup in titles stays text -------------------------------------------------------------------
_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_LABEL = r"[A-Za-z0-9 \-_.,()/+=]+"
_GANTT = [r"gantt", rf"    title {_LABEL} \(UTC\)", r"    dateFormat YYYY-MM-DD HH:mm",
          r"    axisFormat %H:%M", r"    section [A-Za-z]+",
          rf"    {_LABEL} :(active|crit|milestone), \d{{4}}-\d\d-\d\d \d\d:\d\d, "
          r"(\d{4}-\d\d-\d\d \d\d:\d\d|0m)"]
_XYCHART = [r"---", r"config:", r"  themeVariables:", r"    xyChart:",
            r'      plotColorPalette: "(#[0-9a-f]{6}(, )?)+"', r"xychart-beta",
            r'    title "[^"]*"', r'    x-axis \["[^"]*"(, "[^"]*")*\]',
            r'    y-axis "Incidents" 0 --> \d+', r"    line \[\d+(, \d+)*\]"]


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


def assert_inert(text: str, chart: list[str]) -> None:
    """No HTML, link or image; tables keep their columns; Mermaid lines follow the grammar."""
    tokens = _PARSER.parse(text)
    for token in _walk(tokens):
        if token.type == "html_block":
            assert markdown.marker(token.content)[0], f"HTML block: {token.content!r}"
        assert token.type not in ("html_inline", "link_open", "image"), token
        if token.type == "code_inline":
            assert "<" not in token.content and "alert" not in token.content, token.content
    rows: list[int] = []
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            rows.append(0)
        elif token.type in ("th_open", "td_open"):
            rows[-1] += 1
        elif token.type == "table_close":
            assert len(set(rows)) == 1, f"a row lost or gained a column: {rows}"
    fences = [t for t in tokens if t.type == "fence"]
    assert [t.info for t in fences] == ["mermaid"], "a title closed or opened a code fence"
    for line in fences[0].content.splitlines():
        assert any(re.fullmatch(pattern, line) for pattern in chart), line


def _evil_incident(api: IncidentResponse, clock: Clock, store_repo: Path) -> str:
    incident = api.declare(EVIL, severity=2, who_affected=EVIL_LINES, what_broken=EVIL_LINES,
                           services=["checkout"], error_messages=[EVIL_LINES])
    clock.advance(minutes=5)
    api.post_update(incident.id, status="Investigating", impact=EVIL_LINES, action=EVIL_LINES)
    api.record_event(incident.id, EVIL_LINES)
    clock.advance(minutes=5)
    api.mitigate(incident.id, "rollback", "worked", detail=EVIL_LINES)
    api.schedule_postmortem(incident.id, at="+1d", owner=EVIL)
    clock.advance(minutes=20)
    api.resolve(incident.id, resolution=EVIL_LINES, root_cause=EVIL_LINES, impact=EVIL_LINES,
                no_longer_occurring=True, error_rates_normal=True, users_can_use_feature=True,
                monitoring_evidence=EVIL_LINES, stakeholders_notified=True)
    Knowledge(store_repo, clock=clock).add_action(incident.id, EVIL, priority=1, owner=EVIL,
                                                  due="+1d", kind="prevent")
    return incident.id


def test_markup_in_titles_is_inert_in_the_postmortem_tables_and_chart(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    incident = _evil_incident(api, clock, store_repo)
    draft = Knowledge(store_repo, clock=clock).postmortem_draft(incident)
    text = (store_repo / draft.path).read_text()
    assert_inert(text, _GANTT)
    # and the text still reads as written, in the timeline's table
    cells = [markdown.source_text(t) for t in _PARSER.parse(text) if t.type == "inline"]
    assert any(" ".join(EVIL.split()) in cell for cell in cells)


def test_markup_in_titles_is_inert_in_the_report(
        api: IncidentResponse, clock: Clock, store_repo: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _evil_incident(api, clock, store_repo)
    clock.advance(days=3)  # the action item is overdue: it shows in the report's table
    report = Knowledge(store_repo, clock=clock).report().render()
    assert_inert(report, _XYCHART)
    assert "| Action | Owner |" in report and report.count("alert") >= 2


def test_markup_in_titles_is_inert_in_patterns_runbooks_and_writeups(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    incident = resolved(api, clock, EVIL, severity=3, services=["checkout"],
                        root_cause=EVIL_LINES, resolution=EVIL_LINES, errors=[EVIL_LINES])
    result = Knowledge(store_repo, clock=clock).learn(incident, deployment_safety=[EVIL_LINES])
    Runbooks(store_repo).add("checkout", EVIL, symptoms=[EVIL_LINES], resolution=EVIL_LINES,
                             escalation=[EVIL_LINES])
    for relative in (result.critical_patterns, result.writeup, "docs/runbooks/checkout.md"):
        text = (store_repo / relative).read_text()
        body = markdown.Document(text)
        tokens = body.tokens
        for token in _walk(tokens):
            if token.type == "html_block":
                assert markdown.marker(token.content)[0], (relative, token.content)
            assert token.type not in ("html_inline", "image"), (relative, token)
            if token.type == "link_open":  # only the generated link to the write-up
                assert token.attrs["href"] == posixpath.relpath(
                    result.writeup, posixpath.dirname(relative)), (relative, token)
        shown = [markdown.source_text(t) for t in tokens if t.type == "inline"]
        assert any(" ".join(EVIL.split()) in line for line in shown), relative  # reads as written


def test_ids_and_dates_from_a_cloned_store_are_inert_in_tables(
        api: IncidentResponse, clock: Clock, store_repo: Path) -> None:
    # Ids and dates are shown as code or plain text; a file from elsewhere may hold anything.
    incident = resolved(api, clock, "Checkout 500s", severity=2)
    knowledge = Knowledge(store_repo, clock=clock)
    action = knowledge.add_action(incident, "Add a pool alert", priority=1, owner="grace",
                                  due="+1d", kind="detect")
    postmortem = api.store.get(incident).metadata["incident_beads"]["postmortem_id"]
    store = store_repo / ".beads" / "issues.jsonl"
    text = store.read_text(encoding="utf-8")
    for old, new in ((action.id, "a`<b>x</b>|` [l](javascript:x)"),
                     (postmortem, "p`<i>|</i>`"), (action.due_at, "<b>|x|</b>")):
        assert old and f'"{old}"' in text
        text = text.replace(f'"{old}"', json.dumps(new))
    store.write_text(text, encoding="utf-8")
    draft = knowledge.postmortem_draft(incident)
    assert_inert((store_repo / draft.path).read_text(), _GANTT)


ODD_PATH = "/nowhere/it's a $(touch pwned) `touch pwned`; touch pwned/python"


def test_the_pre_push_section_quotes_the_recorded_paths(tmp_path: Path, in_tmp_cwd: Path) -> None:
    # The interpreter and package paths are recorded at install time and may hold anything.
    hook = tmp_path / "pre-push"
    hook.write_text("#!/bin/sh\n" + section(ODD_PATH, ODD_PATH) + "exit 0\n")
    done = subprocess.run(["sh", str(hook), "origin", "url"], input="", capture_output=True,
                          text=True, cwd=in_tmp_cwd)
    assert done.returncode == 1 and ODD_PATH in done.stderr  # the "is gone" message, verbatim
    no_pwned(tmp_path)


def test_the_merge_driver_command_quotes_the_recorded_interpreter(
        tmp_path: Path, in_tmp_cwd: Path) -> None:
    command = driver_command(ODD_PATH).replace("%O %A %B %P", "o a b p")
    done = subprocess.run(["sh", "-c", command], capture_output=True, text=True,
                          cwd=in_tmp_cwd, env={**os.environ, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1 and ODD_PATH in done.stderr
    no_pwned(tmp_path)
