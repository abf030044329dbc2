"""Any text, any phase: a clear refusal or faithful storage, never a corrupt line."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from incident_beads import IncidentBeadsError, IncidentResponse
from tests.lifecycle.lifecycle_helpers import FakeClock, assert_importable, resolve

TEXT = st.text(st.characters(codec="utf-8"), max_size=80) | st.sampled_from([
    '"quoted"', "a\nb", "\u2028\u2029", "<script>&amp;", "$(rm -rf /)", "日本語", "🔥" * 3,
    "x" * 493, "\x00", "  ", "\\u003c",
])


@settings(max_examples=40, deadline=None)
@given(title=TEXT, impact=TEXT, detail=TEXT)
def test_odd_text_is_refused_cleanly_or_kept_faithfully(title: str, impact: str,
                                                        detail: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".beads").mkdir()
        (root / ".beads" / "issues.jsonl").write_bytes(b"")
        api = IncidentResponse(root, clock=FakeClock(), actor="ada")
        try:
            incident = api.declare(title, severity=3, what_broken=detail)
        except IncidentBeadsError:
            assert (root / ".beads" / "issues.jsonl").read_bytes() == b""
            return
        assert IncidentResponse(root).get(incident.id).title == title.removeprefix("[SEV-3] ")
        for step in (
            lambda: api.post_update(incident.id, status="Identified", impact=impact,
                                    action=detail),
            lambda: api.mitigate(incident.id, "rollback", "worked", detail=detail),
            lambda: resolve(api, incident.id, impact=impact),
        ):
            with contextlib.suppress(IncidentBeadsError):
                step()
        stored = IncidentResponse(root).get(incident.id)
        posted = [u for u in stored.state.updates if u.status.value == "Identified"]
        if posted:
            assert (posted[0].impact, posted[0].action) == (impact, detail)
        if stored.state.mitigations:
            assert stored.state.mitigations[0].detail == detail
        for line in (root / ".beads" / "issues.jsonl").read_bytes().splitlines():
            json.loads(line)
        assert_importable(root)
