"""Parse the ref updates git hands to `pre-push` and `pre-receive` hooks.

Standard library only: this runs on every push.
"""

from __future__ import annotations

from incident_beads.errors import InvalidInput
from incident_beads.guard.tuples import NamedTuple

_HEX = frozenset("0123456789abcdef")
# SHA-1 and SHA-256 object names.
_OID_LENGTHS = (40, 64)


class RefUpdate(NamedTuple):
    """One ref a push changes: `old_oid` -> `new_oid` on the receiving side's `ref`.

    `local_ref` is what the pusher typed (pre-push only; empty on the server).
    """

    ref: str
    old_oid: str
    new_oid: str
    local_ref: str = ""

    @property
    def is_deletion(self) -> bool:
        """The push removes the ref."""
        return is_zero(self.new_oid)

    @property
    def is_creation(self) -> bool:
        """The ref does not exist on the receiving side yet."""
        return is_zero(self.old_oid)

    @property
    def branch(self) -> str | None:
        """The branch name when the ref is a branch, else None."""
        return self.ref[len("refs/heads/"):] if self.ref.startswith("refs/heads/") else None

    @property
    def tag(self) -> str | None:
        """The tag name when the ref is a tag, else None."""
        return self.ref[len("refs/tags/"):] if self.ref.startswith("refs/tags/") else None


def is_oid(text: str) -> bool:
    """True for a full SHA-1 or SHA-256 object name in lower-case hex."""
    return len(text) in _OID_LENGTHS and not set(text) - _HEX


def is_zero(oid: str) -> bool:
    """True for git's all-zero object name, whatever the hash length."""
    return oid == "0" * len(oid)


def parse_pre_push(text: str) -> list[RefUpdate]:
    """Parse `<local ref> <local oid> <remote ref> <remote oid>` lines.

    The local ref is passed as typed and may hold spaces (`HEAD^{/fix it}`), so each line is
    split from the right.
    """
    updates = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.rsplit(maxsplit=3)
        if len(parts) != 4 or not (is_oid(parts[1]) and is_oid(parts[3])):
            raise InvalidInput(f"pre-push input line {number} is not "
                               f"'<local ref> <local oid> <remote ref> <remote oid>': {line!r}")
        local_ref, new_oid, ref, old_oid = parts
        updates.append(RefUpdate(ref, old_oid, new_oid, local_ref))
    return updates


def parse_pre_receive(text: str) -> list[RefUpdate]:
    """Parse `<old oid> <new oid> <ref>` lines (pre-receive, post-receive, update)."""
    updates = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not (is_oid(parts[0]) and is_oid(parts[1])):
            raise InvalidInput(f"pre-receive input line {number} is not "
                               f"'<old oid> <new oid> <ref>': {line!r}")
        old_oid, new_oid, ref = parts
        updates.append(RefUpdate(ref, old_oid, new_oid))
    return updates


def parse_any(text: str) -> tuple[str, list[RefUpdate]]:
    """Parse lines in whichever of the two formats they are; return the format's name too.

    A pre-push line ends with an object name, a pre-receive line with a ref name.
    """
    for line in text.splitlines():
        words = line.split()
        if words:
            if is_oid(words[-1]):
                return "pre-push", parse_pre_push(text)
            return "pre-receive", parse_pre_receive(text)
    return "pre-receive", []
