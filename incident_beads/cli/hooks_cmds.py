"""`incident hooks install | uninstall | status` and `incident check-push`: the push guard."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incident_beads.cli._common import config_for, emit, json_option, repo_root
from incident_beads.cli._errors import Reported
from incident_beads.guard.hook import check_push as check_updates
from incident_beads.guard.hook import lines_to_check, range_to_check
from incident_beads.guard.install import INSTALLED, HookReport, install, status, uninstall
from incident_beads.guard.push_rule import RANGE


@click.group()
def hooks() -> None:
    """Install, remove or inspect the pre-push hotfix guard."""


@hooks.command("install")
@click.option("--server", "server", metavar="DIR", default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="Write a self-contained pre-receive hook into the bare repository DIR.")
@click.option("--force", is_flag=True,
              help="With --server: replace a pre-receive hook that is not this guard.")
@json_option
@click.pass_context
def hooks_install(ctx: click.Context, server: Path | None, force: bool, as_json: bool) -> None:
    """Add the guard to the pre-push hook, beside bd, pre-commit, husky or lefthook.

    Also registers the .beads/issues.jsonl merge driver. With --server DIR, write the
    standard-library pre-receive hook into a bare repository instead (no install needed there).
    """
    if server is not None:
        from incident_beads.guard.server_hook import install_server_hook

        written = install_server_hook(server, force=force)
        emit(as_json, written.to_json(),
             f"{'refreshed' if written.replaced else 'installed'}: {written.hook_file} "
             "(pre-receive, standard library only)")
        return
    if force:
        raise click.UsageError("--force goes with --server DIR")
    root = repo_root(ctx)
    report = install(root)
    _show(as_json, report)


@hooks.command("uninstall")
@json_option
@click.pass_context
def hooks_uninstall(ctx: click.Context, as_json: bool) -> None:
    """Remove only what install added."""
    _show(as_json, uninstall(repo_root(ctx)))


@hooks.command("status")
@json_option
@click.pass_context
def hooks_status(ctx: click.Context, as_json: bool) -> None:
    """Say whether the guard runs on push; exit 1 when it does not."""
    report = status(repo_root(ctx))
    _show(as_json, report)
    if report.state != INSTALLED:
        raise Reported  # the report above is the message


@click.command("check-push")
@click.option("--range", "revision_range", metavar="A..B",
              help="Check the commits B brings over A (CI); else read hook lines from stdin.")
@click.option("--branch", metavar="NAME",
              help="The branch the range lands on (default: the main branch).")
@click.option("--remote", metavar="NAME", help="The remote pre-push lines were meant for.")
@json_option
@click.pass_context
def check_push(ctx: click.Context, revision_range: str | None, branch: str | None,
               remote: str | None, as_json: bool) -> None:
    """Refuse a push that brings an untagged hotfix to a protected branch.

    Reads pre-push or pre-receive lines from stdin unless --range is given.
    """
    root = repo_root(ctx)
    config = config_for(ctx).git
    if revision_range is not None:
        mode = RANGE
        updates = [range_to_check(revision_range, branch or config.main_branch or "main")]
    else:
        mode, updates = lines_to_check(sys.stdin.read())
    verdict = check_updates(str(root), updates, mode=mode, remote=remote or config.remote)
    for note in verdict.notes:
        click.echo(f"incident: note: {note}", err=True)
    hotfixes = [{"commit": h.commit.oid, "incident_id": h.incident_id,
                 "subject": h.commit.subject} for h in verdict.hotfixes]
    emit(as_json, {"ok": True, "hotfixes": hotfixes, "findings": []},
         lambda: "\n".join([f"{h['commit'][:12]} incident {h['incident_id']}: tagged"
                            for h in hotfixes] or ["no hotfix reaches a protected branch"]))


def _show(as_json: bool, report: HookReport) -> None:
    emit(as_json, report.to_json(), lambda: "\n".join(
        [f"{report.state}: {report.hook_file} ({report.manager})",
         *(f"  {a}" for a in report.actions),
         f"  push.followTags={report.follow_tags or 'unset'}"]))
