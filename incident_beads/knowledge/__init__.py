"""Phases 0 and 6: load institutional knowledge before an incident, grow it after (docs/)."""
