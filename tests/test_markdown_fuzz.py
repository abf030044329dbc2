"""Fuzz the markdown updaters with what people write around and inside the generated files."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads.errors import Refused
from incident_beads.knowledge.patterns import CriticalPatterns

pytestmark = pytest.mark.reliability


def update_patterns(root: Path) -> None:
    patterns = CriticalPatterns(root)
    patterns.add_past_incident(date="2026-01-15", incident_id="inc-7", severity="SEV-2",
                               title="Checkout | 500s <script>", root_cause="pool `exhausted`",
                               writeup="docs/solutions/runtime-errors/checkout-inc-7.md")
    patterns.add_deployment_safety("Roll back before you debug: `deploy --rollback`")
    patterns.propose(["checkout: 3 incidents in 90 days"])


# the bug the fuzzing found -------------------------------------------------------------------
@pytest.mark.parametrize("opened", ["```bash\nkubectl get pods", "<!-- draft notes", "<pre>"])
def test_a_block_left_open_at_the_end_is_refused_not_written_into(tmp_path: Path,
                                                                    opened: str) -> None:
    path = tmp_path / "docs/critical-patterns.md"
    path.parent.mkdir(parents=True)
    text = f"# Critical Patterns\n\nOur notes.\n\n{opened}\n"
    path.write_text(text)
    with pytest.raises(Refused, match=r"line 5 opens a .* never closed"):
        update_patterns(tmp_path)
    assert path.read_text() == text
