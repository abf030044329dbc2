"""The `[git]` defaults the push hook needs, in a module that imports nothing.

`config.py` builds its `GitConfig` from these; the hook uses them directly when a repository
has no `.incident-beads.toml`, which spares each push importing `dataclasses` (and `inspect`)
for a file that is not there.
"""

#: The project's settings file, at the repository root.
CONFIG_FILE = ".incident-beads.toml"
REMOTE = "origin"
PROTECTED_BRANCHES = ("main", "master")
# `{id}` is the incident id; git-flow's default names the tag after the branch.
TAG_NAMES = ("hotfix-{id}", "incident-{id}")
