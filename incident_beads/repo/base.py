"""The git seam's repository, opened for one task and closed when it is done, and the git
commands it runs where GitPython has no model for the work."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from git import Repo
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from incident_beads.config import GitConfig
from incident_beads.errors import GitError, InvalidInput
from incident_beads.repo.command_io import as_bytes, command_failed
from incident_beads.repo.results import Run


class OpenRepo:
    """A repository opened for one task; use as `with GitRepo(root, config) as git:`."""

    def __init__(self, root: Path | str, config: GitConfig | None = None, *,
                 offline: bool = False, env: dict[str, str] | None = None) -> None:
        self.root = Path(root)
        self.config = config or GitConfig()
        #: Reads never go to the network (`protocol.allow=never`): a partial clone's missing
        #: object is an error instead of a silent lazy download.
        self.offline = offline
        self.env = dict(env or {})
        self._repo: Repo | None = None

    def __enter__(self) -> Self:
        try:
            self._repo = Repo(self.root)
        except (InvalidGitRepositoryError, NoSuchPathError):
            raise GitError(f"{self.root} is not a git repository",
                           hint="run the command inside the repository (or pass -C PATH)") from None
        if self.offline:
            self._repo.git.set_persistent_git_options(c="protocol.allow=never")
        if self.env:
            self._repo.git.update_environment(**self.env)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None

    @staticmethod
    def init(path: Path | str, *, bare: bool = False, branch: str = "main") -> None:
        """Create an empty repository at `path` whose first branch is `branch`."""
        try:
            Repo.init(path, mkdir=True, bare=bare, initial_branch=branch, quiet=True).close()
        except GitCommandError as exc:
            raise command_failed(exc, f"cannot create a repository at {path}") from None

    @property
    def repo(self) -> Repo:
        """The open GitPython repository."""
        if self._repo is None:
            raise RuntimeError("GitRepo used outside its `with` block")
        return self._repo

    @property
    def top(self) -> Path:
        """The top folder of the work tree."""
        return Path(self.repo.working_tree_dir or self.root)

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one git command in the work tree and return its stdout (for what GitPython has
        no model of: the caller says which)."""
        out = self.repo.git.execute(["git", *args], env=env, strip_newline_in_stdout=False)
        return str(out)

    def attempt(self, *args: str) -> tuple[int, str]:
        """Run one git command that may be refused (a push a hook stops): its exit status and
        its stderr, without raising."""
        status, _out, err = self.repo.git.execute(["git", *args], with_extended_output=True,
                                                  with_exceptions=False)
        return int(status), str(err)

    def run(self, *args: str, stdin: bytes | None = None,
            timeout: float | None = None) -> Run:
        """One git command whose bytes matter, that may fail or run long (a fetch over the
        network, a listing of missing objects: git's own work, with no model in GitPython).

        Killed after `timeout` seconds; never raises for its exit status.
        """
        began = time.monotonic()
        with tempfile.TemporaryFile() as source:
            if stdin is not None:
                source.write(stdin)
                source.seek(0)
            status, out, err = self.repo.git.execute(
                ["git", *args], istream=source if stdin is not None else None,
                with_extended_output=True, with_exceptions=False, stdout_as_string=False,
                strip_newline_in_stdout=False, kill_after_timeout=timeout)
        timed_out = (timeout is not None and status != 0
                     and time.monotonic() - began >= timeout)
        return Run(int(status), as_bytes(out), as_bytes(err), timed_out)

    def set_config(self, name: str, value: str) -> None:
        """Set `name` (`merge.incident-beads.driver`) in the repository's own configuration.

        Plain `git config`: it quotes and escapes a value (`;`, `#`, quotes) as git reads it
        back, which GitPython's `config_writer` does not promise for every value.
        """
        self.git("config", "--local", name, value)

    def attribute(self, path: str, name: str) -> str:
        """The value of git attribute `name` for `path` (`git check-attr`: no model)."""
        return self.git("check-attr", name, "--", path).strip().rpartition(": ")[2]

    def check_branch_name(self, name: str) -> None:
        """Refuse a name git cannot use for a branch (`git check-ref-format`: no model)."""
        try:
            self.git("check-ref-format", "--branch", name)
        except GitCommandError:
            raise InvalidInput(f"{name!r} is not a valid git branch name") from None
