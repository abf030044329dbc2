"""Write the server's `pre-receive` hook as one self-contained, standard-library file.

A git server rarely has this package installed, and should not need it: the hook file carries
the guard's own modules as text and imports them from there, so copying one file is the whole
install and the check is exactly the one `pre-push` and `incident check-push` run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from incident_beads.errors import InvalidInput, Refused
from incident_beads.process.git import Git

#: What the guard imports on its way, as module name -> file below the package folder.
#: The test that pushes through the written hook fails when a module is missing here.
MODULES: dict[str, str] = {
    "incident_beads": "",
    "incident_beads.errors": "errors.py",
    "incident_beads.defaults": "defaults.py",
    "incident_beads.config": "config/__init__.py",
    "incident_beads.config.frozen": "config/frozen.py",
    "incident_beads.config.sections": "config/sections.py",
    "incident_beads.config.fields": "config/fields.py",
    "incident_beads.config.severity": "config/severity.py",
    "incident_beads.config.monitoring": "config/monitoring.py",
    "incident_beads.config.fleet": "config/fleet.py",
    "incident_beads.config.notify": "config/notify.py",
    "incident_beads.config.load": "config/load.py",
    "incident_beads.process": "process/__init__.py",
    "incident_beads.guard": "guard/__init__.py",
    "incident_beads.guard.tuples": "guard/tuples.py",
    "incident_beads.guard.refs": "guard/refs.py",
    "incident_beads.process.git": "process/git.py",
    "incident_beads.guard.commits": "guard/commits.py",
    "incident_beads.process.shell": "process/shell.py",
    "incident_beads.guard.findings": "guard/findings.py",
    "incident_beads.guard.tags": "guard/tags.py",
    "incident_beads.guard.settings": "guard/settings.py",
    "incident_beads.guard.push_rule": "guard/push_rule.py",
    "incident_beads.guard.hook": "guard/hook.py",
    "incident_beads.guard.review": "guard/review.py",
    "incident_beads.guard.approval": "guard/approval.py",
    "incident_beads.guard.deletions": "guard/deletions.py",
    "incident_beads.signing": "signing.py",
}
PACKAGES = ("incident_beads", "incident_beads.config", "incident_beads.process",
            "incident_beads.guard")
MARK = "# incident-beads self-contained pre-receive hook"

_RUNNER = '''
import sys

if sys.version_info < (3, 11):
    sys.stderr.write("incident: the pre-receive hook needs Python 3.11 or later "
                     "(hint: point its first line at a newer python3)\\n")
    sys.exit(1)

from importlib.machinery import ModuleSpec


class _EmbeddedModules:
    """Serve incident_beads from the sources above, never from an installed copy."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "incident_beads" and not name.startswith("incident_beads."):
            return None
        if name not in _SOURCES:
            raise ModuleNotFoundError(f"{name} is not part of this hook "
                                      "(hint: run `incident hooks install --server` again)")
        return ModuleSpec(name, cls, is_package=name in _PACKAGES)

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        name = module.__spec__.name
        code = compile(_SOURCES[name], f"<pre-receive:{name}>", "exec")
        exec(code, module.__dict__)


sys.meta_path.insert(0, _EmbeddedModules)

from incident_beads.guard.hook import main

if __name__ == "__main__":
    main(["pre-receive"])
'''


class ServerHook(NamedTuple):
    """Where the server hook was written and what was there before."""

    hook_file: str
    replaced: bool  # an earlier version of our own hook was refreshed

    def to_json(self) -> dict[str, object]:
        """Describe the result for `--json` output."""
        return self._asdict()


def package_version() -> str:
    """The installed version, written into the hook so an old copy can be told apart."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("incident_beads")
    except PackageNotFoundError:
        return "unknown"


def server_hook_source() -> str:
    """The whole pre-receive file: the guard's modules as text and the lines that run them."""
    package = Path(__file__).resolve().parent.parent
    sources = {name: (package / rel).read_text(encoding="utf-8") if rel else ""
               for name, rel in MODULES.items()}
    body = [
        "#!/usr/bin/env python3",
        f"{MARK} (incident_beads {package_version()})",
        "# Refuses pushes that bring an untagged hotfix to a protected branch. Standard library",
        "# only; settings from .incident-beads.toml in this repository folder, if present.",
        "# Regenerate with `incident hooks install --server DIR`; do not edit.",
        "",
        f"_PACKAGES = {PACKAGES!r}",
        "_SOURCES = {",
        *(f"    {name!r}: {text!r}," for name, text in sources.items()),
        "}",
        _RUNNER,
    ]
    return "\n".join(body)


def install_server_hook(repository: Path, *, force: bool = False) -> ServerHook:
    """Write `hooks/pre-receive` into the bare repository `repository`.

    An earlier copy of this hook is refreshed; any other `pre-receive` is kept unless `force`.
    """
    if not repository.is_dir():
        raise InvalidInput(f"{repository} is not a folder",
                           hint="give the bare repository on the server, e.g. /srv/git/app.git")
    git = Git(str(repository))
    if git.output("rev-parse", "--is-bare-repository").strip() != "true":
        raise InvalidInput(f"{repository} is not a bare repository",
                           hint="in a clone, `incident hooks install` adds the pre-push hook")
    hooks = (repository / git.output("rev-parse", "--git-path", "hooks").strip()).resolve()
    hook = hooks / "pre-receive"
    replaced = hook.exists()
    if replaced and MARK not in _head(hook) and not force:
        raise Refused(f"{hook} already exists and is not this guard",
                      hint="call the guard from it by hand, move it aside, or give --force "
                           "to replace it")
    hooks.mkdir(parents=True, exist_ok=True)
    temporary = hook.with_name(f".pre-receive.{os.getpid()}")
    temporary.write_text(server_hook_source(), encoding="utf-8")
    temporary.chmod(0o755)
    os.replace(temporary, hook)
    return ServerHook(str(hook), replaced)


def _head(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(400).decode("utf-8", "replace")
