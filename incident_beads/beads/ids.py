"""Issue ids as bd makes them: `<prefix>-<base36 hash>`, the length growing with the store."""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

PREFIX_RE = re.compile(r"[a-z][a-z0-9-]*")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_MAX_COLLISION = 0.25  # bd keeps the chance of any collision under about 25%
_CONFIG_PREFIX_RE = re.compile(r"""^\s*issue-prefix\s*:\s*["']?([^"'\s#]+)""", re.MULTILINE)


def hash_length(issue_count: int) -> int:
    """Suffix length bd uses for a store of `issue_count` issues (3 up to 163, 4 up to 983...)."""
    for length in range(3, 9):
        capacity = math.sqrt(2 * 36**length * math.log(1 / (1 - _MAX_COLLISION)))
        if issue_count <= capacity:
            return length
    return 8


def hash_suffix(seed: str, length: int) -> str:
    """Lowercase base-36 text of SHA-256 over `seed`, cut to `length` characters."""
    number = int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")
    digits: list[str] = []
    while number and len(digits) < length:
        number, rest = divmod(number, 36)
        digits.append(_ALPHABET[rest])
    return "".join(digits).ljust(length, "0")


def new_id(prefix: str, taken: set[str], *, title: str, description: str, creator: str,
           created_at: str) -> str:
    """A fresh hash id, retried with other nonces and then longer suffixes on collision."""
    length = hash_length(len(taken) + 1)
    while True:
        for nonce in range(10):
            seed = f"{title}|{description}|{creator}|{created_at}|{nonce}"
            candidate = f"{prefix}-{hash_suffix(seed, length)}"
            if candidate not in taken:
                return candidate
        length += 1


def child_id(parent: str, taken: set[str]) -> str:
    """The next free `<parent>.<n>` id."""
    n = 1
    while f"{parent}.{n}" in taken:
        n += 1
    return f"{parent}.{n}"


def prefix_of(issue_id: str) -> str:
    """The prefix of an id: everything before the last hyphen of its root (`bd-drain-0oe`)."""
    root = issue_id.split(".", 1)[0]
    return root.rpartition("-")[0]


def most_common_prefix(ids: Iterable[str]) -> str:
    """The prefix most ids in a file share, or empty.

    `bd-wisp-x1` counts for `bd` too: hyphenated sub-prefixes (bd's wisps) are not the
    repository's own prefix unless they outnumber it.
    """
    counts = Counter(p for p in map(prefix_of, ids) if PREFIX_RE.fullmatch(p))
    totals = Counter({p: sum(n for q, n in counts.items() if q == p or q.startswith(f"{p}-"))
                      for p in counts})
    return min(totals, key=lambda p: (-totals[p], len(p), p)) if totals else ""


def configured_prefix(beads_dir: Path) -> str:
    """bd's `issue-prefix` from `.beads/config.yaml`, or empty."""
    try:
        text = (beads_dir / "config.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
    match = _CONFIG_PREFIX_RE.search(text)
    return match.group(1).strip().rstrip("-") if match else ""


def prefix_from_name(name: str) -> str:
    """Make a folder name into a valid prefix (`My_Repo.2` -> `my-repo-2`)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    text = text.lstrip("0123456789-")
    return text or "inc"
