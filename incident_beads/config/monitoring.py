"""`[monitoring]`: the Alertmanager receiver's labels and the Prometheus evidence checks."""

from __future__ import annotations

import dataclasses

from incident_beads.config.fields import build
from incident_beads.config.sections import MetricCheck, MonitoringConfig
from incident_beads.errors import MalformedFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SEVERITY_NAMES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")


def parse_monitoring(path: str, value: Any) -> MonitoringConfig:
    """Read `[monitoring]` with its `severity_map` and `[monitoring.checks.NAME]` tables."""
    if not isinstance(value, dict):
        raise MalformedFile(path, None, "[monitoring] must be a table")
    plain = dict(value)
    mapping, checks = plain.pop("severity_map", None), plain.pop("checks", {})
    base: MonitoringConfig = build(path, "monitoring", MonitoringConfig, plain)
    if base.default_severity.upper() not in _SEVERITY_NAMES:
        raise MalformedFile(path, None, "monitoring.default_severity must be SEV-1..SEV-4")
    severity_map = base.severity_map
    if mapping is not None:
        if not isinstance(mapping, dict) or not all(
                isinstance(v, str) and v.upper() in _SEVERITY_NAMES for v in mapping.values()):
            raise MalformedFile(path, None, "[monitoring.severity_map] maps label values to "
                                "SEV-1..SEV-4", hint='critical = "SEV-1"')
        severity_map = {str(k): str(v).upper() for k, v in mapping.items()}
    if not isinstance(checks, dict):
        raise MalformedFile(path, None, "[monitoring.checks] must hold [monitoring.checks.NAME]")
    return dataclasses.replace(
        base, default_severity=base.default_severity.upper(), severity_map=severity_map,
        checks={name: _parse_check(path, name, table) for name, table in checks.items()})


def _parse_check(path: str, name: str, table: Any) -> MetricCheck:
    where = f"monitoring.checks.{name}"
    if not isinstance(table, dict):
        raise MalformedFile(path, None, f"[{where}] must be a table")
    known = {"query", "below", "above", "service", "description"}
    for key in table:
        if key not in known:
            raise MalformedFile(path, None, f"unknown key {where}.{key}",
                                hint=f"known keys: {', '.join(sorted(known))}")
    query = table.get("query")
    if not isinstance(query, str) or not query.strip():
        raise MalformedFile(path, None, f"{where}.query must be a PromQL query")
    bounds: dict[str, float | None] = {}
    for key in ("below", "above"):
        item = table.get(key)
        if item is not None and (isinstance(item, bool) or not isinstance(item, int | float)):
            raise MalformedFile(path, None, f"{where}.{key} must be a number")
        bounds[key] = float(item) if item is not None else None
    if bounds["below"] is None and bounds["above"] is None:
        raise MalformedFile(path, None, f"{where} needs `below` or `above`",
                            hint="below = 0.01 passes while every value is under 0.01")
    for key in ("service", "description"):
        if not isinstance(table.get(key, ""), str):
            raise MalformedFile(path, None, f"{where}.{key} must be a string")
    return MetricCheck(name=name, query=query.strip(), below=bounds["below"],
                       above=bounds["above"], service=table.get("service", ""),
                       description=table.get("description", ""))

