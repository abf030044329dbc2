"""Severity levels SEV-1..SEV-4: parsing, bead priority and label, and the repository's policy."""

from __future__ import annotations

import re
from enum import StrEnum

from incident_beads.config import Config, SeverityPolicy
from incident_beads.errors import InvalidInput

_SEVERITY_RE = re.compile(r"(?:sev[-_ ]?)?([1-4])", re.IGNORECASE)
_TITLE_TAG_RE = re.compile(r"^\[SEV-[1-4]\]\s*")


class Severity(StrEnum):
    """An incident severity; its value is the canonical text `SEV-N`."""

    SEV1 = "SEV-1"
    SEV2 = "SEV-2"
    SEV3 = "SEV-3"
    SEV4 = "SEV-4"

    @classmethod
    def parse(cls, text: object) -> Severity:
        """Read a severity written `SEV-1`, `sev1`, `sev-1` or `1`; refuse anything else."""
        if isinstance(text, Severity):
            return text
        if isinstance(text, int) and not isinstance(text, bool):
            text = str(text)
        if isinstance(text, str):
            match = _SEVERITY_RE.fullmatch(text.strip())
            if match:
                return cls(f"SEV-{match.group(1)}")
        raise InvalidInput(f"unknown severity {text!r}",
                           hint="use SEV-1, SEV-2, SEV-3 or SEV-4 (also sev1 or 1)")

    @classmethod
    def _missing_(cls, value: object) -> Severity | None:
        try:
            return cls.parse(value)
        except InvalidInput:
            return None

    @property
    def level(self) -> int:
        """1 for SEV-1 (the most severe) to 4."""
        return int(self.value[-1])

    @property
    def priority(self) -> int:
        """The bead priority: 0 for SEV-1 to 3 for SEV-4."""
        return self.level - 1

    @property
    def label(self) -> str:
        """The bead label, `sev-N`."""
        return f"sev-{self.level}"

    def policy(self, config: Config) -> SeverityPolicy:
        """Response window, update cadence and post-mortem rule of this severity."""
        return config.severity[self.value]

    def tag_title(self, title: str) -> str:
        """The incident bead title: `[SEV-N] <title>`."""
        return f"[{self.value}] {strip_severity_tag(title)}"


def strip_severity_tag(title: str) -> str:
    """A bead title without its leading `[SEV-N] ` tag."""
    return _TITLE_TAG_RE.sub("", title, count=1)


def severity_from_labels(labels: list[str]) -> Severity | None:
    """The severity named by a `sev-N` label, if any."""
    for label in labels:
        match = re.fullmatch(r"sev-([1-4])", label)
        if match:
            return Severity(f"SEV-{match.group(1)}")
    return None
