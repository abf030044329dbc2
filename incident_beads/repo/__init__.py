"""The library's one seam to git: GitPython, opened for a task and closed when it is done.

    with GitRepo(root) as git:
        head = git.rev_parse("refs/heads/main")

Reads go through GitPython's object model (`repo.commit`, `repo.head`, references and tag
objects, `iter_commits`, `is_ancestor`, trees and blobs, `config_reader`). Plain `repo.git`
commands remain only where GitPython has no model for the operation; each says why. The push
guard's hook path (`guard/`, `process/git.py`) and the store's journal run plain `git`
instead: they must stay fast and free of GitPython.

`base` opens and closes the repository and runs the commands without a model, `reading` reads
through the object model, `seam` adds the work tree and the writing commands as `GitRepo`;
`results` holds the tuples they return, `command_io` what their commands are given and what is
made of their output.
"""

from __future__ import annotations

from git.exc import GitCommandError

from incident_beads.repo.command_io import command_failed, message_file, parse_porcelain
from incident_beads.repo.results import Commit, Run, Tag
from incident_beads.repo.seam import GitRepo

__all__ = ["Commit", "GitCommandError", "GitRepo", "Run", "Tag", "command_failed", "message_file",
           "parse_porcelain"]
