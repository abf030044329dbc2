"""Issue ids as bd makes them: `<prefix>-<base36 hash>`, the length growing with the store."""

from __future__ import annotations

import math
import os
import re
import time
from collections import Counter
from collections.abc import Container, Sequence
from datetime import UTC, datetime
from pathlib import Path

from incident_beads import digests
from incident_beads.errors import InvalidInput, Refused

PREFIX_RE = re.compile(r"[a-z][a-z0-9-]*")
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_MAX_COLLISION = 0.25  # bd keeps the chance of any collision under about 25%
MIN_LENGTH, MAX_LENGTH = 3, 8
_NONCES = 10
# How many leading bytes of the digest bd encodes for each suffix length.
_HASH_BYTES = {3: 2, 4: 3, 5: 4, 6: 4, 7: 5, 8: 5}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DEPTH = 3  # bd's default hierarchy.max-depth: `bd-a1b.1.2.3` is the deepest child
# The prefix of each id of a newline-joined list, as `prefix_of` finds it.
_ROOT_PREFIX = re.compile(r"^([^.\n]*)-[^-.\n]*(?:\.[^\n]*)?$", re.MULTILINE)
_PREFIX_SAMPLE = 5000
_CONFIG_PREFIX_RE = re.compile(r"""^\s*issue-prefix\s*:\s*["']?([^"'\s#]+)""", re.MULTILINE)


def collision_probability(issue_count: int, length: int) -> float:
    """bd's birthday estimate of any collision among `issue_count` ids of `length` characters."""
    return 1.0 - math.exp(-float(issue_count * issue_count) / (2.0 * 36.0**length))


def hash_length(issue_count: int) -> int:
    """Suffix length bd uses beside `issue_count` issues (3 up to 163, 4 up to 983...)."""
    for length in range(MIN_LENGTH, MAX_LENGTH + 1):
        if collision_probability(issue_count, length) <= _MAX_COLLISION:
            return length
    return MAX_LENGTH


def hash_suffix(seed: str, length: int) -> str:
    """bd's suffix: base 36 of the first bytes of SHA-256(`seed`), its last `length` digits."""
    digest = digests.sha256(seed.encode("utf-8", "surrogatepass")).digest()
    number = int.from_bytes(digest[:_HASH_BYTES.get(length, 3)], "big")
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = _ALPHABET[rest] + digits
    return digits.rjust(length, "0")[-length:]


def new_id(prefix: str, taken: Container[str], *, title: str, description: str, creator: str,
           created_at: datetime, issue_count: int) -> str:
    """A fresh hash id as bd makes it, retried with other nonces and then longer suffixes."""
    nanos = _unix_nanos(created_at)
    for length in range(hash_length(issue_count), MAX_LENGTH + 1):
        for nonce in range(_NONCES):
            seed = f"{title}|{description}|{creator}|{nanos}|{nonce}"
            candidate = f"{prefix}-{hash_suffix(seed, length)}"
            if candidate not in taken:
                return candidate
    raise Refused(f"no free id for {title!r} after {_NONCES} tries at every length",
                  hint="try again: the creation time is part of the id")


def _unix_nanos(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def child_id(parent: str, taken: Container[str]) -> str:
    """The next free `<parent>.<n>` id; bd refuses children deeper than three levels."""
    if parent.count(".") >= MAX_DEPTH:
        raise InvalidInput(f"{parent} is {MAX_DEPTH} levels deep: it cannot have children",
                           hint="attach the issue to a parent higher up")
    n = 1
    while f"{parent}.{n}" in taken:
        n += 1
    return f"{parent}.{n}"


def prefix_of(issue_id: str) -> str:
    """The prefix of an id: everything before the last hyphen of its root (`bd-drain-0oe`)."""
    root = issue_id.split(".", 1)[0]
    return root.rpartition("-")[0]


def most_common_prefix(ids: Sequence[str | None]) -> str:
    """The prefix most ids in a file share (`ids`: by line, None where a line holds no issue),
    or empty.

    `bd-wisp-x1` counts for `bd` too: hyphenated sub-prefixes (bd's wisps) are not the
    repository's own prefix unless they outnumber it.
    """
    # An even sample of a big file's lines decides as well as every id, at a fraction of the
    # cost; one regex over the sample, because a Python call per id costs more than a write.
    sample = [*filter(None, ids[:: max(1, len(ids) // _PREFIX_SAMPLE)])]
    found = Counter(_ROOT_PREFIX.findall("\n".join(sample)))
    counts = Counter({p: n for p, n in found.items() if PREFIX_RE.fullmatch(p)})
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


def uuid7() -> str:
    """A UUIDv7 text, as bd 1.x writes comment ids."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
