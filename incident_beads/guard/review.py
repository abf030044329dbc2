"""The approving review, written into the annotated hotfix tag as a fixed, parseable block.

`incident hotfix tag` writes it; the push guard reads it back. Standard library only. The
field lines are also the payload a reviewer signs in signed mode; the signature follows them
inside the block, indented so that git does not mistake the tag for a signed tag.
"""

from __future__ import annotations

from incident_beads.guard.tuples import NamedTuple

BEGIN = "-----BEGIN INCIDENT-BEADS REVIEW-----"
END = "-----END INCIDENT-BEADS REVIEW-----"
#: The fields of the block, in the order they are written and signed.
FIELDS = ("incident", "hotfix", "reviewer", "commit", "verdict", "fixes-issue", "adds-issues",
          "reviewed-at")
APPROVED = "approved"
SIGNATURE = "signature"


class ReviewBlock(NamedTuple):
    """The review block of a tag message: its fields and, in signed mode, the signature."""

    fields: dict[str, str]
    signature: str = ""  # an armored `ssh-keygen -Y sign` signature, or empty

    def get(self, name: str) -> str:
        """One field, empty when absent."""
        return self.fields.get(name, "")

    @property
    def approves(self) -> bool:
        """The block records an approval that says the fix works and adds no issue."""
        return (self.get("verdict"), self.get("fixes-issue"), self.get("adds-issues")) == (
            APPROVED, "yes", "no")

    def payload(self) -> str:
        """The exact text that is signed: the field lines, in order."""
        return payload(self.fields)

    def render(self) -> str:
        """The block as it is written into the tag message."""
        lines = [BEGIN, *payload(self.fields).splitlines()]
        if self.signature:
            lines.append(f"{SIGNATURE}:")
            lines += [f" {line}" for line in self.signature.strip().splitlines()]
        lines.append(END)
        return "\n".join(lines) + "\n"


def payload(fields: dict[str, str]) -> str:
    """The field lines of a review, in the fixed order; what a reviewer signs."""
    return "".join(f"{name}: {_one_line(fields.get(name, ''))}\n" for name in FIELDS)


def parse(message: str) -> ReviewBlock | None:
    """The review block of a tag message, or None when there is none (or it is malformed)."""
    lines = message.splitlines()
    try:
        start = lines.index(BEGIN)
        stop = lines.index(END, start)
    except ValueError:
        return None
    fields: dict[str, str] = {}
    signature: list[str] = []
    in_signature = False
    for line in lines[start + 1:stop]:
        if in_signature and line.startswith(" "):
            signature.append(line[1:])
            continue
        name, sep, value = line.partition(": ")
        if line == f"{SIGNATURE}:":
            in_signature = True
        elif sep and name in FIELDS and name not in fields:
            fields[name] = value
        else:
            return None  # an unknown or repeated line: not a block this tool wrote
    if set(fields) != set(FIELDS):
        return None
    return ReviewBlock(fields, "\n".join(signature) + "\n" if signature else "")


def tag_message_body(raw: str) -> str:
    """The message of a `git cat-file tag` object: what follows the header's blank line."""
    _, _, body = raw.partition("\n\n")
    return body


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
