"""`GitRepo`, the library's one git seam: the reading of `reading`, and the work tree, the index
and the writing commands."""

from __future__ import annotations

from collections.abc import Sequence

from git.exc import GitCommandError

from incident_beads.repo.command_io import command_failed, message_file, parse_porcelain
from incident_beads.repo.reading import ReadingRepo


class GitRepo(ReadingRepo):
    """A repository opened for one task; use as `with GitRepo(root, config) as git:`.

    Reads go through GitPython's object model; writes run git itself, so hooks, configuration
    and git's own checks apply.
    """

    def status(self, *paths: str, untracked: str = "no") -> list[tuple[str, str, str | None]]:
        """`git status` entries (status, path, a rename's source) below `paths`.

        Plain `git status`: GitPython has no model of a status listing with renames.
        """
        out = self.git("status", "--porcelain=v1", "-z", f"--untracked-files={untracked}",
                       *(["--", *paths] if paths else []))
        return parse_porcelain(out)

    def staged_paths(self) -> list[str]:
        """The paths whose index entry differs from HEAD (plain `git diff --cached`, as the
        index model would compare every entry in Python)."""
        return [p for p in self.git("diff", "--cached", "--name-only", "-z").split("\0") if p]

    def commit_staged(self, message: str, trailers: Sequence[tuple[str, str]]) -> str:
        """Commit what is staged with `message` and `trailers`; return the new commit id.

        `git commit`: GitPython's `index.commit` runs no hooks and knows no trailers.
        """
        args = ["commit", "-q", "--cleanup=whitespace"]
        for key, value in trailers:
            args += ["--trailer", f"{key}: {value}"]
        with message_file(message) as path:
            try:
                self.git(*args, "-F", path)
            except GitCommandError as exc:
                raise command_failed(exc, "git commit failed") from None
        return self.rev_parse("HEAD")

    def annotated_tag(self, name: str, commit: str, message: str) -> None:
        """Create annotated tag `name` on `commit`, message kept verbatim."""
        try:
            self.repo.create_tag(name, ref=commit, message=message, cleanup="verbatim")
        except GitCommandError as exc:
            raise command_failed(exc, f"cannot create tag {name}") from None

    def push(self, remote: str, refspecs: Sequence[str]) -> None:
        """Push `refspecs` to `remote` in one call, so a pre-push hook sees them together.

        `git push`: GitPython's `Remote.push` reports a hook's refusal as flags, not git's words.
        """
        try:
            self.git("push", "-q", remote, *refspecs)
        except GitCommandError as exc:
            raise command_failed(exc, f"git push to {remote} failed",
                                 hint=f"push by hand: git push {remote} {' '.join(refspecs)}"
                                 ) from None
