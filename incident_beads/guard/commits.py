"""Read a pushed range's first-parent commits and recognise the ones that deliver a hotfix.

A hotfix reaches a protected branch either as a merge of a `hotfix/...` branch (git's, GitHub's,
GitLab's or git-flow's merge subject, or an `Incident:` trailer on the merge), as a merge with
any other subject whose merged-in side carries `Incident: <id>` lines, or, when it was
fast-forwarded, rebased or squashed, as commits carrying an `Incident: <id>` line. The line
counts in any paragraph of the message: GitHub's squash commits end in `Co-authored-by:` lines,
which make git see only that last paragraph as the trailers.
"""

from __future__ import annotations

from incident_beads.guard.tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from incident_beads.process.git import Git

TRAILER = "Incident"
_FIELD = "\x1f"
_TRAILER_SEP = "\x1e"
# %(trailers) with key= matches case-insensitively, as git trailers do.
LOG_FORMAT = (f"--format=%H%x1f%P%x1f%(trailers:key={TRAILER},valueonly,separator=%x1e)"
              "%x1f%s%x1f%b")

INCIDENT_PREFIX = "incident-"


class Commit(NamedTuple):
    """One commit of a pushed range, as `git log` printed it."""

    oid: str
    parents: tuple[str, ...]
    subject: str
    incidents: tuple[str, ...]  # values of its `Incident:` trailers

    @property
    def is_merge(self) -> bool:
        """The commit has more than one parent."""
        return len(self.parents) > 1


class HotfixCommit(NamedTuple):
    """A commit that brings incident `incident_id`'s hotfix onto the branch."""

    commit: Commit
    incident_id: str
    branch_name: str  # after `hotfix/`; empty when only a trailer names the incident
    carried_by: tuple[str, ...] = ()  # merged-in commits whose `Incident:` line names it

    @property
    def accepted_targets(self) -> frozenset[str]:
        """Where its tag may point: a merge, its hotfix side or the merged-in commits naming
        the incident; else the commit itself."""
        if self.commit.is_merge:
            return frozenset((self.commit.oid, *self.commit.parents[1:], *self.carried_by))
        return frozenset((self.commit.oid,))


def parse_log(text: str) -> list[Commit]:
    """Parse `git log -z` output written with LOG_FORMAT."""
    commits = []
    for record in text.split("\0"):
        record = record.strip("\n")
        if not record:
            continue
        oid, parents, trailers, subject, body = record.split(_FIELD, 4)
        found = [value.strip() for value in trailers.split(_TRAILER_SEP) if value.strip()]
        found += body_incidents(body)
        commits.append(Commit(oid, tuple(parents.split()), subject, tuple(dict.fromkeys(found))))
    return commits


def body_incidents(body: str) -> list[str]:
    """The ids of `Incident: <id>` lines in any paragraph of a message body.

    git reads trailers from the last paragraph only; a squash commit whose trailer is followed by
    `Co-authored-by:` lines would hide its incident. A value with a space is prose, not an id.
    """
    found = []
    for line in body.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.lower() == "incident":
            value = value.strip()
            if value and " " not in value:
                found.append(value)
    return found


def merged_in(git: Git, merges: list[Commit], first_parent: list[Commit],
              revisions: list[str]) -> dict[str, list[Commit]]:
    """The commits each first-parent merge brings in from its side, within `revisions`.

    One `git log` for the whole range; each commit goes to the oldest merge that brings it.
    """
    if not merges:
        return {}
    every = {c.oid: c for c in parse_log(git.output("log", "-z", LOG_FORMAT, *revisions, "--"))}
    seen = {c.oid for c in first_parent}
    sides: dict[str, list[Commit]] = {}
    for merge in reversed(merges):  # `git log` lists newest first
        side: list[Commit] = []
        stack = list(merge.parents[1:])
        while stack:
            oid = stack.pop()
            if oid in seen or oid not in every:
                continue
            seen.add(oid)
            side.append(every[oid])
            stack.extend(every[oid].parents)
        sides[merge.oid] = side
    return sides


def needs_side(commit: Commit) -> bool:
    """A merge whose subject names no branch and that carries no `Incident:` line itself."""
    return commit.is_merge and not commit.incidents and parse_merge_subject(commit.subject) is None


def side_hotfixes(merge: Commit, side: list[Commit]) -> list[HotfixCommit]:
    """The incidents a custom-subject merge delivers through its merged-in commits."""
    carriers: dict[str, list[str]] = {}
    for commit in side:
        for incident in commit.incidents:
            carriers.setdefault(incident, []).append(commit.oid)
    return [HotfixCommit(merge, incident, "", tuple(oids)) for incident, oids in carriers.items()]


def first_parent_commits(git: Git, revisions: list[str]) -> list[Commit]:
    """The first-parent commits `git log` lists for `revisions`, newest first."""
    return parse_log(git.output("log", "-z", "--first-parent", LOG_FORMAT, *revisions, "--"))


def hotfix_commits(commit: Commit, is_protected: Callable[[str], bool]) -> list[HotfixCommit]:
    """The hotfixes `commit` delivers: none for ordinary commits and for back-merges.

    A merge whose subject says `into <branch>` for a branch that is not protected is a
    back-merge (git-flow's `... into develop`); it reaches the protected branch only through
    a later merge and is not counted.
    """
    if commit.is_merge:
        parsed = parse_merge_subject(commit.subject)
        if parsed is not None:
            name, into = parsed
            if into and not is_protected(into):
                return []
            return [HotfixCommit(commit, incident_id_of(name), name)]
    return [HotfixCommit(commit, incident, "") for incident in dict.fromkeys(commit.incidents)]


def incident_id_of(branch_name: str) -> str:
    """The incident id a `hotfix/<name>` branch names: `incident-<id>` gives `<id>`."""
    if branch_name.startswith(INCIDENT_PREFIX) and len(branch_name) > len(INCIDENT_PREFIX):
        return branch_name[len(INCIDENT_PREFIX):]
    return branch_name


def parse_merge_subject(subject: str) -> tuple[str, str] | None:
    """The hotfix branch name and the `into` branch ('' when unnamed) a merge subject gives.

    Recognises git's `Merge branch 'hotfix/x'` (also `Merge remote-tracking branch
    'origin/hotfix/x'`, `... of URL`, `... into y`), GitLab's `... into 'y'` and GitHub's
    `Merge pull request #12 from owner/hotfix/x`. Plain string parsing: `re` costs the hook
    more than the few subjects it reads.
    """
    text = subject.strip()
    if text.startswith(_PR_PREFIX):
        number, sep, source = text[len(_PR_PREFIX):].partition(" from ")
        owner, slash, branch = source.partition("/")
        if (not sep or not number.isdigit() or not owner or not slash or " " in source
                or not branch.startswith(_HOTFIX) or len(branch) == len(_HOTFIX)):
            return None
        return branch[len(_HOTFIX):], ""
    prefix = next((p for p in _GIT_PREFIXES if text.startswith(p)), None)
    if prefix is None:
        return None
    rest = text[len(prefix):]
    # git does not escape a `'` inside the branch name: try each quote as the closing one.
    at = rest.find("'")
    while at >= 0 and " " not in rest[:at]:
        parsed = _quoted_merge(rest[:at], rest[at + 1:])
        if parsed is not None:
            return parsed
        at = rest.find("'", at + 1)
    return None


def _quoted_merge(quoted: str, tail: str) -> tuple[str, str] | None:
    """The hotfix branch and `into` branch of `<quoted>' <tail>` in a git merge subject."""
    if not quoted.startswith(_HOTFIX):
        remote, slash, quoted = quoted.partition("/")
        if not remote or not slash or not quoted.startswith(_HOTFIX):
            return None
    name = quoted[len(_HOTFIX):]
    tail = tail.strip()
    if tail.startswith("of "):
        tail = tail[len("of "):].partition(" ")[2].strip()
    into = ""
    if tail.startswith("into "):
        into = tail[len("into "):].strip().strip("'")
        if not into or " " in into:
            return None
    elif tail:
        return None
    return (name, into) if name else None


_HOTFIX = "hotfix/"
_PR_PREFIX = "Merge pull request #"
_GIT_PREFIXES = ("Merge branch '", "Merge remote-tracking branch '")
