"""Reading a repository through GitPython's object model: refs, commits, tags, trees, blobs
and configuration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from git.exc import BadName, BadObject, GitCommandError
from git.objects.blob import Blob
from git.objects.tree import Tree
from git.refs.reference import Reference
from git.refs.tag import TagReference

from incident_beads.errors import GitError, NotFound
from incident_beads.repo.base import OpenRepo
from incident_beads.repo.results import Commit, Tag, Walked, to_commit

#: The modes of a regular file in a tree (a link's is 0o120000).
REGULAR = (0o100644, 0o100755)

#: What GitPython raises for a revision it cannot resolve.
UNRESOLVED = (BadName, BadObject, ValueError, IndexError, KeyError)


class ReadingRepo(OpenRepo):
    """What the library reads from a repository, through the object model."""

    def main_branch(self) -> str:
        """The configured main branch, else `main`, else `master`."""
        configured = self.config.main_branch
        candidates = [configured] if configured else ["main", "master"]
        for name in candidates:
            if self.branch_exists(name):
                return name
        if configured:
            raise GitError(f"the configured main branch {configured!r} does not exist",
                           hint="fix git.main_branch in .incident-beads.toml")
        raise GitError("cannot find the main branch (neither `main` nor `master` exists)",
                       hint="set git.main_branch in .incident-beads.toml")

    def ref_exists(self, ref: str) -> bool:
        """True when the full ref name `ref` (`refs/...`) names an object."""
        try:
            return Reference(self.repo, ref, check_path=False).is_valid()
        except (*UNRESOLVED, OSError):
            return False

    def branch_exists(self, name: str) -> bool:
        """True when `refs/heads/<name>` exists."""
        return self.ref_exists(f"refs/heads/{name}")

    def tag_exists(self, name: str) -> bool:
        """True when `refs/tags/<name>` exists."""
        return self.ref_exists(f"refs/tags/{name}")

    def tag_info(self, name: str) -> tuple[str, str]:
        """The object type of tag `name` (`tag` when annotated) and the commit it points at."""
        ref = TagReference(self.repo, f"refs/tags/{name}")
        try:
            kind = "tag" if ref.tag is not None else ref.object.type
            return kind, ref.commit.hexsha
        except UNRESOLVED:
            raise NotFound(f"tag {name} does not exist") from None

    def tags(self) -> list[Tag]:
        """Every tag (`repo.tags`), with the commit it names and who made it when: the tagger
        of an annotated tag, else the commit's author and committer date."""
        found = []
        for ref in self.repo.tags:
            try:
                commit, tag = ref.commit, ref.tag
            except UNRESOLVED:
                continue  # a tag of a tree or blob names no commit
            if tag is not None:
                zone = timezone(timedelta(seconds=-tag.tagger_tz_offset))
                when = datetime.fromtimestamp(tag.tagged_date, zone).isoformat()
                who = (tag.tagger.name or "") if tag.tagger else ""
            else:
                when, who = commit.committed_datetime.isoformat(), commit.author.name or ""
            found.append(Tag(ref.name, tag is not None, commit.hexsha, who, when))
        return found

    def first_parent_line(self, branch: str, *, since: int) -> list[Walked]:
        """`branch`'s first-parent line, newest first, as far as `git rev-list --since` walks
        it: to the first commit committed before `since` (POSIX seconds), whatever the dates
        beyond it. Each commit's committer time, and the commit itself when it is a merge.

        Which commits are merges is git's word (`--merges`): a commit's own parents may be cut
        away by a shallow clone's boundary or a graft, which GitPython's object reading ignores.
        """
        date = f"@{since} +0000"
        merges = {c.hexsha: c for c in self.repo.iter_commits(branch, first_parent=True,
                                                              merges=True, since=date)}
        return [Walked(c.committed_date, to_commit(merges[c.hexsha]) if c.hexsha in merges
                       else None)
                for c in self.repo.iter_commits(branch, first_parent=True, since=date)]

    def tag_message(self, name: str) -> str | None:
        """The message of annotated tag `name` (GitPython leaves out its last line break);
        None for a lightweight or missing tag."""
        try:
            tag = TagReference(self.repo, f"refs/tags/{name}").tag
        except UNRESOLVED:
            return None
        return None if tag is None else str(tag.message)

    def rev_parse(self, ref: str) -> str:
        """The full commit id `ref` names."""
        try:
            return str(self.repo.commit(ref).hexsha)
        except UNRESOLVED:
            raise NotFound(f"{ref} does not name a commit") from None

    def current_branch(self) -> str | None:
        """The branch HEAD is on; None when HEAD is detached."""
        head = self.repo.head
        return None if head.is_detached else str(head.reference.name)

    def is_ancestor(self, older: str, newer: str) -> bool:
        """True when `older` is reachable from `newer`."""
        try:
            return self.repo.is_ancestor(self.repo.commit(older), self.repo.commit(newer))
        except (*UNRESOLVED, GitCommandError):
            return False

    def commits(self, base: str, head: str) -> list[Commit]:
        """Commits in `base..head`, oldest first."""
        return [to_commit(c) for c in self.repo.iter_commits(f"{base}..{head}", reverse=True)]

    def behind_remote(self, branch: str, remote: str) -> int:
        """How many commits the last-fetched `<remote>/<branch>` has that `branch` lacks."""
        tracking = f"refs/remotes/{remote}/{branch}"
        if not self.ref_exists(tracking):
            return 0
        return sum(1 for _ in self.repo.iter_commits(f"refs/heads/{branch}..{tracking}"))

    def file_at(self, rev: str, path: str) -> bytes | None:
        """The content of `path` in commit `rev`; None when it has no such file."""
        try:
            blob = self.repo.commit(rev).tree / path
        except UNRESOLVED:
            return None
        return bytes(blob.data_stream.read())

    def files_under(self, commit: str, paths: Sequence[str]) -> dict[str, str]:
        """Path -> blob id of every regular file at or under `paths` in `commit`'s tree
        (links are not followed); the trees are read, never a blob."""
        try:
            tree = self.repo.commit(commit).tree
        except UNRESOLVED:
            raise NotFound(f"{commit} does not name a commit") from None
        found: dict[str, str] = {}
        for path in paths:
            try:
                item = tree / path.strip("/")
            except KeyError:
                continue
            blobs = item.traverse() if isinstance(item, Tree) else [item]
            for blob in blobs:
                if isinstance(blob, Blob) and blob.mode in REGULAR:
                    found[str(blob.path)] = blob.hexsha
        return found

    def object_data(self, name: str) -> tuple[str, bytes] | None:
        """The type and content of the object `name` names (an id or `<commit>:<path>`), read
        by the repository's one long-lived `git cat-file --batch`; None when there is none.

        `GitError` when git stopped answering: offline, an object a partial clone lacks.
        """
        if "\n" in name:
            return None
        try:
            _sha, kind, _size, data = self.repo.git.get_object_data(name)
        except ValueError as exc:
            if "could not be resolved" in str(exc):
                return None
            raise GitError(f"{self.root.name}: an object is missing from the cache",
                           hint="run `incident fleet fetch` again") from None
        except OSError:
            raise GitError(f"{self.root.name}: an object is missing from the cache",
                           hint="run `incident fleet fetch` again") from None
        return (kind.decode() if isinstance(kind, bytes) else str(kind)), bytes(data)

    def remote_urls(self) -> set[str]:
        """The URLs of every remote (`remote.<name>.url`), from the configuration."""
        with self.repo.config_reader() as reader:
            return {str(url) for section in reader.sections()
                    if section.startswith("remote ") and reader.has_option(section, "url")
                    for url in reader.get_values(section, "url")}

    def config_value(self, section: str, option: str, *, local: bool = False) -> str | None:
        """One value of git's configuration (`local`: the repository's own file only), or None.

        `section` as the file spells it: `merge "incident-beads"`.
        """
        with self.repo.config_reader("repository" if local else None) as reader:
            if not reader.has_option(section, option):
                return None
            return str(reader.get_value(section, option))
