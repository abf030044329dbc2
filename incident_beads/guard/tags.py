"""Look up the tags a hotfix may carry: annotated or not, and the commit each points at."""

from __future__ import annotations

from incident_beads import defaults
from incident_beads.guard.refs import RefUpdate, is_zero
from incident_beads.guard.tuples import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from collections.abc import Iterable

    from incident_beads.process.git import Git


class TagInfo(NamedTuple):
    """A tag as the receiving side will see it."""

    name: str
    annotated: bool
    target: str  # the commit (or object) the tag finally names
    in_push: bool  # the tag is created or moved by this push
    oid: str = ""  # the tag object itself (annotated tags), to read its message


def tag_names_for(incident_id: str, branch_name: str, templates: Iterable[str]) -> list[str]:
    """Expand the configured tag name templates (`{id}`, `{branch}`) for one hotfix."""
    branch = branch_name or f"incident-{incident_id}"
    names = (t.replace("{id}", incident_id).replace("{branch}", branch) for t in templates)
    return list(dict.fromkeys(names))


def hotfix_tag_name(incident_id: str, templates: Iterable[str] = defaults.TAG_NAMES) -> str:
    """The tag a hotfix of `incident_id` gets: the first configured template (`hotfix-<id>`)."""
    names = tag_names_for(incident_id, "", templates)
    return names[0] if names else tag_names_for(incident_id, "", defaults.TAG_NAMES)[0]


def tag_pattern(templates: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching the tag names the templates allow; its groups hold the incident id.

    `{branch}` is the hotfix branch name after `hotfix/`, that is `incident-<id>`.
    """
    import re  # not on the push hook's path, which must stay light

    parts = [re.escape(name).replace(re.escape("{id}"), "(.+)")
             .replace(re.escape("{branch}"), re.escape("incident-") + "(.+)")
             for name in templates]
    return re.compile("|".join(f"(?:{p})" for p in parts)) if parts else re.compile(r"(?!)")


def lookup_tags(git: Git, names: Iterable[str], updates: Iterable[RefUpdate]) -> dict[str, TagInfo]:
    """Find the tags called `names`, as they will be once the push is accepted.

    The repository is asked with one `git for-each-ref`; tag updates of the push itself are laid
    over it, because a server's pre-receive hook does not see the pushed refs yet (only their
    objects), and a push may delete a tag.
    """
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    pushed = {u.tag: u.new_oid for u in updates if u.tag is not None}
    found: dict[str, TagInfo] = {}
    out = git.output("for-each-ref", "--format=%(refname)%00%(objecttype)%00%(objectname)"
                     "%00%(*objectname)", *(f"refs/tags/{n}" for n in wanted))
    for line in out.splitlines():
        ref, kind, oid, peeled = line.split("\0")
        name = ref[len("refs/tags/"):]
        if name in pushed and pushed[name] != oid:
            continue  # the push changes it: read the pushed object below
        annotated = kind == "tag"
        found[name] = TagInfo(name, annotated, peeled if annotated else oid, name in pushed,
                              oid if annotated else "")
    unseen = [(n, oid) for n, oid in pushed.items()
              if n in wanted and n not in found and not is_zero(oid)]
    if unseen:
        found.update(_describe_objects(git, unseen))
    for name, oid in pushed.items():
        if is_zero(oid):
            found.pop(name, None)
    return found


def _describe_objects(git: Git, tags: list[tuple[str, str]]) -> dict[str, TagInfo]:
    query = "".join(f"{oid}\n{oid}^{{}}\n" for _, oid in tags)
    out = git.output("cat-file", "--batch-check=%(objectname) %(objecttype)", stdin=query)
    lines = out.splitlines()
    result = {}
    for index, (name, oid) in enumerate(tags):
        own = lines[2 * index].split()
        peeled = lines[2 * index + 1].split()
        if len(own) == 2 and len(peeled) == 2:
            annotated = own[1] == "tag"
            result[name] = TagInfo(name, annotated, peeled[0], True, oid if annotated else "")
    return result

