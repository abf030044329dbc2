"""Safe paths inside the repository: every knowledge writer goes through `write_inside`."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePosixPath

from incident_beads.beads.fileio import atomic_write
from incident_beads.errors import InvalidInput, Refused

# A service name or slug is one plain path component: no separators, no leading dot.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_name(kind: str, value: str) -> str:
    """Return `value` if it is a safe single file name component, else refuse it."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"a {kind} name is required")
    if not _NAME.fullmatch(value) or ".." in value:
        raise Refused(f"{kind} name {value!r} is not a plain name inside the folder",
                      hint="use letters, digits, '.', '_' or '-' (no '/', no '..')")
    return value


def slugify(text: str, *, limit: int = 60) -> str:
    """Turn a title into a lowercase, hyphen-separated file name component."""
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words: list[str] = []
    word = ""
    for ch in flat.lower():
        if ch.isalnum():
            word += ch
        elif word:
            words.append(word)
            word = ""
    if word:
        words.append(word)
    slug = "-".join(words)[:limit].strip("-")
    return slug or "incident"


def resolve_inside(root: Path, relative: str | PurePosixPath) -> Path:
    """The real path of `relative` under `root`; refuse `..`, absolute paths and escaping links."""
    text = str(relative)
    pure = PurePosixPath(text.replace("\\", "/"))
    if not text or pure.is_absolute() or Path(text).is_absolute():
        raise Refused(f"path {text!r} must be relative to the repository",
                      hint="give a path inside the repository, like docs/runbooks/api.md")
    if ".." in pure.parts or ".git" in pure.parts:
        raise Refused(f"path {text!r} leaves the repository or enters .git",
                      hint="remove '..' from the path")
    top = root.resolve()
    target = (top / pure).resolve()
    if not target.is_relative_to(top) or target == top:
        raise Refused(f"path {text!r} resolves outside the repository ({target})",
                      hint="a symbolic link on the way points outside; remove or fix it")
    return target


def read_inside(root: Path, relative: str | PurePosixPath) -> str | None:
    """The text of a file under `root`, or None when it does not exist."""
    target = resolve_inside(root, relative)
    try:
        return target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def write_inside(root: Path, relative: str | PurePosixPath, text: str) -> Path:
    """Atomically write `text` to `relative` under `root`, creating folders; return the path."""
    target = resolve_inside(root, relative)
    try:
        if target.read_text(encoding="utf-8") == text:
            return target  # a second run changes nothing, not even the file's time
    except (FileNotFoundError, UnicodeDecodeError, IsADirectoryError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    # The folders just made may have met a link created meanwhile: check again before writing.
    resolve_inside(root, relative)
    atomic_write(target, [text.encode("utf-8")])
    return target


def relative_to_root(root: Path, path: Path) -> str:
    """`path` as a repository-relative POSIX path (for links and output)."""
    return path.resolve().relative_to(root.resolve()).as_posix()
