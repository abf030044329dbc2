"""The hook rule: a hotfix reaches a protected branch only with its annotated tag.

One implementation, used by the `pre-push` hook, the server's `pre-receive` hook and
`incident check-push` in CI. Standard library and plain `git` only: it runs on every push.
"""

from __future__ import annotations

from incident_beads.errors import GitError
from incident_beads.guard.approval import review_problem
from incident_beads.guard.commits import (
    LOG_FORMAT,
    Commit,
    HotfixCommit,
    first_parent_commits,
    hotfix_commits,
    merged_in,
    needs_side,
    parse_log,
    side_hotfixes,
)
from incident_beads.guard.findings import (
    ELSEWHERE,
    LIGHTWEIGHT,
    MISSING,
    Finding,
    PushRefused,
)
from incident_beads.guard.refs import RefUpdate
from incident_beads.guard.tags import TagInfo, lookup_tags, tag_names_for
from incident_beads.guard.tuples import NamedTuple
from incident_beads.process.git import Git

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from incident_beads.guard.settings import GuardSettings

PRE_PUSH = "pre-push"  # local hook: what the remote lacks is judged by its tracking refs
PRE_RECEIVE = "pre-receive"  # server hook: what the repository lacks is new
RANGE = "range"  # CI: an explicit `A..B`; a new branch brings its whole history

_GLOB = frozenset("*?[")


class Verdict(NamedTuple):
    """What the guard decided about one push."""

    findings: list[Finding]  # refusals; empty when the push may go
    notes: list[str]  # advice that does not block the push
    hotfixes: list[HotfixCommit]  # every hotfix the push brings to a protected branch


class HotfixGuard:
    """Refuse a push that brings a hotfix to a protected branch without its annotated tag."""

    def __init__(self, cwd: str, settings: GuardSettings, *, mode: str = PRE_PUSH,
                 remote: str = "", remote_url: str = "", git: Git | None = None) -> None:
        self.settings = settings
        self.mode = mode
        self.remote = remote or settings.remote
        # git passes the URL twice when the push names no remote.
        self.named_remote = bool(remote) and remote != remote_url
        self.git = git or Git(cwd)

    def is_protected(self, branch: str) -> bool:
        """True when the branch name matches a configured protected branch (globs allowed)."""
        for pattern in self.settings.protected_branches:
            if branch == pattern:
                return True
            if not _GLOB.isdisjoint(pattern):
                from fnmatch import fnmatchcase  # only for globs: it imports re

                if fnmatchcase(branch, pattern):
                    return True
        return False

    def check(self, updates: list[RefUpdate]) -> Verdict:
        """Judge a push; raise PushRefused when a hotfix lacks its tag (TagDeletionRefused when
        it deletes a landed hotfix's tag), else return the verdict."""
        self.check_tag_deletions(updates)
        verdict = self.evaluate(updates)
        if verdict.findings:
            raise PushRefused(verdict.findings)
        return verdict

    def check_tag_deletions(self, updates: list[RefUpdate]) -> None:
        """Refuse deleting a hotfix tag whose commit a protected branch already has."""
        if not any(u.is_deletion and u.tag is not None for u in updates):
            return
        from incident_beads.guard.deletions import landed_deletions, refuse_landed_deletions

        if self.mode == PRE_PUSH:
            refs = f"refs/remotes/{self.remote}/" if self.named_remote else "refs/remotes/"
        else:
            refs = "refs/heads/"
        refuse_landed_deletions(landed_deletions(self.git, updates, self.settings.tag_names,
                                                 refs, self.is_protected), self.remote)

    def evaluate(self, updates: list[RefUpdate]) -> Verdict:
        """Judge a push without raising: the findings, notes and hotfixes seen."""
        pending: list[tuple[RefUpdate, list[Commit], list[HotfixCommit]]] = []
        for update in updates:
            branch = update.branch
            if update.is_deletion or branch is None or not self.is_protected(branch):
                continue
            commits, revisions = self._brought(update)
            hotfixes = self._hotfixes(commits, revisions)
            if hotfixes:
                pending.append((update, commits, hotfixes))
        if not pending:
            return Verdict([], [], [])
        names = {(h.incident_id, h.branch_name): tag_names_for(
            h.incident_id, h.branch_name, self.settings.tag_names)
            for _, _, hotfixes in pending for h in hotfixes}
        tags = lookup_tags(self.git, (n for group in names.values() for n in group), updates)
        findings: list[Finding] = []
        notes: list[str] = []
        seen: list[HotfixCommit] = []
        for update, commits, hotfixes in pending:
            in_range = {c.oid for c in commits}
            for hotfix, targets in _groups(hotfixes):
                accepted = names[(hotfix.incident_id, hotfix.branch_name)]
                seen.append(hotfix)
                finding = self._judge(update, hotfix, targets, accepted, tags, in_range, notes)
                if finding is not None:
                    findings.append(finding)
        return Verdict(findings, notes, seen)

    def _judge(self, update: RefUpdate, hotfix: HotfixCommit, targets: frozenset[str],
               accepted: list[str], tags: dict[str, TagInfo], in_range: set[str],
               notes: list[str]) -> Finding | None:
        present = [tags[n] for n in accepted if n in tags]
        annotated = [t for t in present if t.annotated]
        for tag in annotated:
            if tag.target in targets:
                refused = self._check_review(update, hotfix, tag, accepted)
                if refused is not None:
                    return refused
                if self.mode == PRE_PUSH and not tag.in_push:
                    notes.append(f"tag {tag.name} is not part of this push: if {self.remote} "
                                 f"does not have it yet, run `git push {self.remote} "
                                 f"refs/tags/{tag.name}` (or set push.followTags=true)")
                return None
        if not hotfix.commit.is_merge:
            # Follow-ups of a fast-forwarded hotfix whose tagged commit the branch already has.
            for tag in annotated:
                if tag.target not in in_range and self._delivered_before(
                        tag.target, hotfix.incident_id, update.new_oid):
                    return None
        if annotated:
            kind, tag_name, found = ELSEWHERE, annotated[0].name, annotated[0].target
        elif present:
            kind, tag_name, found = LIGHTWEIGHT, present[0].name, present[0].target
        else:
            kind, tag_name, found = MISSING, accepted[0], ""
        branch = update.branch or ""
        return Finding(
            branch=branch, commit=hotfix.commit.oid, subject=hotfix.commit.subject,
            incident_id=hotfix.incident_id, via_merge=hotfix.commit.is_merge, kind=kind,
            tag=tag_name, accepted=tuple(accepted), found_target=found, remote=self.remote,
            branch_spec=self._branch_spec(update, branch),
        )

    def _check_review(self, update: RefUpdate, hotfix: HotfixCommit, tag: TagInfo,
                      accepted: list[str]) -> Finding | None:
        """The tag must carry the approving review of the fix it points at."""
        problem = review_problem(self.git, self.settings, update, hotfix, tag)
        if problem is None:
            return None
        kind, detail = problem
        branch = update.branch or ""
        return Finding(
            branch=branch, commit=hotfix.commit.oid, subject=hotfix.commit.subject,
            incident_id=hotfix.incident_id, via_merge=hotfix.commit.is_merge, kind=kind,
            tag=tag.name, accepted=tuple(accepted), found_target=tag.target, remote=self.remote,
            branch_spec=self._branch_spec(update, branch), detail=detail)

    def _hotfixes(self, commits: list[Commit], revisions: list[str]) -> list[HotfixCommit]:
        """The hotfixes the first-parent `commits` deliver, merges with custom subjects too."""
        custom = [c for c in commits if needs_side(c)]
        sides = merged_in(self.git, custom, commits, revisions)
        found: list[HotfixCommit] = []
        for commit in commits:
            if commit.oid in sides:
                found += side_hotfixes(commit, sides[commit.oid])
            else:
                found += hotfix_commits(commit, self.is_protected)
        return found

    def _brought(self, update: RefUpdate) -> tuple[list[Commit], list[str]]:
        """The first-parent commits this update adds to the receiving branch, and the
        revisions that select everything it adds."""
        if not update.is_creation:
            revisions = [update.new_oid, f"^{update.old_oid}"]
            code, out = self.git.run("log", "-z", "--first-parent", LOG_FORMAT, *revisions,
                                     "--", ok_codes=(0, 128))
            if code == 0:
                return parse_log(out), revisions
            if self.mode != PRE_PUSH:
                raise GitError(f"cannot read {update.old_oid[:12]}..{update.new_oid[:12]}: a "
                               "commit is not in this repository",
                               hint="fetch the full history (actions/checkout: fetch-depth: 0)")
            # A force push over a tip this clone never fetched: judge by what the remote has.
        revisions = [update.new_oid, *self._published()]
        return first_parent_commits(self.git, revisions), revisions

    def _published(self) -> list[str]:
        if self.mode == PRE_PUSH:
            return ["--not", f"--remotes={self.remote}" if self.named_remote else "--remotes"]
        if self.mode == PRE_RECEIVE:
            return ["--not", "--all"]
        return []

    def _delivered_before(self, target: str, incident_id: str, new_oid: str) -> bool:
        """The tag marks this incident's hotfix, delivered by an earlier push of the branch."""
        code, _ = self.git.run("merge-base", "--is-ancestor", target, new_oid, ok_codes=(0, 1))
        if code != 0:
            return False
        tagged = first_parent_commits(self.git, ["-1", target])
        return any(h.incident_id == incident_id
                   for c in tagged for h in hotfix_commits(c, lambda _: True))

    def _branch_spec(self, update: RefUpdate, branch: str) -> str:
        local = update.local_ref
        if self.mode != PRE_PUSH or local in ("", branch, f"refs/heads/{branch}"):
            return branch
        return f"{local}:refs/heads/{branch}"


def _groups(hotfixes: Iterable[HotfixCommit]) -> list[tuple[HotfixCommit, frozenset[str]]]:
    """Merges one by one; trailer commits of one incident together, named by the newest.

    A tag on any commit of the incident's fast-forwarded series (or on one of its merges in
    the same push) covers the whole series.
    """
    result: list[tuple[HotfixCommit, frozenset[str]]] = []
    series: dict[str, tuple[HotfixCommit, set[str]]] = {}
    for hotfix in hotfixes:
        if hotfix.commit.is_merge:
            result.append((hotfix, hotfix.accepted_targets))
        elif hotfix.incident_id in series:
            series[hotfix.incident_id][1].add(hotfix.commit.oid)
        else:
            series[hotfix.incident_id] = (hotfix, {hotfix.commit.oid})
    for incident_id, (newest, targets) in series.items():
        merged = {t for h, ts in result if h.incident_id == incident_id for t in ts}
        result.append((newest, frozenset(targets | merged)))
    return result
