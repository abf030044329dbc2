"""A hotfix tag is the record that the fix went out reviewed: once its commit has landed on a
protected branch, a push may not delete it.

Standard library and plain `git` only, like the rest of the guard.
"""

from __future__ import annotations

from incident_beads.errors import Refused
from incident_beads.guard.refs import RefUpdate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from incident_beads.process.git import Git


class TagDeletionRefused(Refused):
    """The push deletes the tag of a hotfix that has landed on a protected branch."""


def is_hotfix_tag(name: str, templates: tuple[str, ...]) -> bool:
    """True when `name` fits one of the accepted tag templates (`hotfix-{id}`, `v{branch}`)."""
    for template in templates:
        for field in ("{id}", "{branch}"):
            prefix, found, suffix = template.partition(field)
            if found and "{" not in prefix + suffix and len(name) > len(prefix) + len(suffix) \
                    and name.startswith(prefix) and name.endswith(suffix):
                return True
    return False


def landed_deletions(git: Git, updates: list[RefUpdate], templates: tuple[str, ...],
                     branch_refs: str, is_protected: Callable[[str], bool]) -> list[str]:
    """The refusal lines for hotfix tags this push deletes whose commit a protected branch has.

    `branch_refs` is where the receiving side's branches are seen: `refs/heads/` on the server
    and in CI, `refs/remotes/<remote>/` before a push.
    """
    lines = []
    for update in updates:
        name = update.tag
        if not update.is_deletion or name is None or not is_hotfix_tag(name, templates):
            continue
        code, peeled = git.run("rev-parse", "-q", "--verify", f"{update.old_oid}^{{commit}}",
                               ok_codes=(0, 1, 128))
        if code != 0:
            continue  # this clone never had the tag's commit; the server's check decides
        out = git.output("for-each-ref", "--format=%(refname)", "--contains", peeled.strip(),
                         branch_refs)
        branches = [ref[len(branch_refs):] for ref in out.splitlines()]
        if branch_refs == "refs/remotes/":  # any remote: drop the remote's name
            branches = [b.partition("/")[2] for b in branches]
        landed = sorted({b for b in branches if b and is_protected(b)})
        if landed:
            lines.append(f"tag {name} marks a hotfix that has landed on {', '.join(landed)}; "
                         "it is the record of that delivery and is not deleted")
    return lines


def refuse_landed_deletions(lines: list[str], remote: str) -> None:
    """Raise the refusal for the deletions found, with how to keep the tags."""
    if lines:
        names = [line.split()[1] for line in lines]
        raise TagDeletionRefused(
            "push refused: " + "; ".join(lines),
            hint=f"leave the tag on {remote}; to restore a local copy: git fetch {remote} "
                 + " ".join(f"refs/tags/{n}:refs/tags/{n}" for n in names))
