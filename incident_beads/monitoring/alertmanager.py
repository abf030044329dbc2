"""The Alertmanager webhook payload (version 4), read with pydantic, and what it says."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from incident_beads import digests
from incident_beads.config import MonitoringConfig
from incident_beads.errors import InvalidInput
from incident_beads.lifecycle.observations import FiredAlert
from incident_beads.lifecycle.when import as_utc

#: Alertmanager writes this for "no end yet" on a firing alert.
_NO_END = datetime(1, 1, 1).year


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class WebhookAlert(_Model):
    """One alert of a notification."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    generator_url: str = Field(default="", alias="generatorURL")
    fingerprint: str = ""

    @property
    def name(self) -> str:
        """The `alertname` label (every Prometheus alert has one)."""
        return self.labels.get("alertname", "") or "alert"

    @property
    def key(self) -> str:
        """The fingerprint, or a digest of the labels where an old sender gives none."""
        if self.fingerprint:
            return self.fingerprint
        canonical = json.dumps(sorted(self.labels.items()), separators=(",", ":"))
        return digests.sha256(canonical.encode()).hexdigest()[:16]

    def as_fired(self) -> FiredAlert:
        """The alert as the assessment keeps it."""
        ends = self.ends_at if self.ends_at and self.ends_at.year > _NO_END else None
        return FiredAlert(
            name=self.name, status=self.status, fingerprint=self.key, labels=self.labels,
            annotations=self.annotations, value=self.annotations.get("value", ""),
            starts_at=as_utc(self.starts_at), ends_at=as_utc(ends) if ends else None,
            generator_url=self.generator_url)


class WebhookPayload(_Model):
    """One notification for one alert group, as Alertmanager POSTs it to a webhook receiver."""

    version: Literal["4"]
    group_key: str = Field(alias="groupKey", min_length=1)
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts")
    status: Literal["firing", "resolved"]
    receiver: str = ""
    group_labels: dict[str, str] = Field(default_factory=dict, alias="groupLabels")
    common_labels: dict[str, str] = Field(default_factory=dict, alias="commonLabels")
    common_annotations: dict[str, str] = Field(default_factory=dict, alias="commonAnnotations")
    external_url: str = Field(default="", alias="externalURL")
    alerts: list[WebhookAlert] = Field(min_length=1)

    @property
    def firing(self) -> list[WebhookAlert]:
        """The alerts still firing."""
        return [a for a in self.alerts if a.status == "firing"]

    def delivery_key(self) -> str:
        """The same for a retried delivery, different once any alert starts, ends or changes."""
        alerts = sorted((a.key, a.status, as_utc(a.starts_at).isoformat(),
                         a.ends_at.isoformat() if a.ends_at else "") for a in self.alerts)
        canonical = json.dumps([self.group_key, self.status, alerts], separators=(",", ":"))
        return digests.sha256(canonical.encode()).hexdigest()

    def summary(self) -> str:
        """The `summary` annotation the group shares, else the first alert's, else its name."""
        found = self.common_annotations.get("summary", "")
        for alert in self.firing or self.alerts:
            found = found or alert.annotations.get("summary", "")
        return " ".join(found.split()) or self.alerts[0].name

    def description(self) -> str:
        """The `description` annotation, shared or the first alert's."""
        found = self.common_annotations.get("description", "")
        for alert in self.firing or self.alerts:
            found = found or alert.annotations.get("description", "")
        return " ".join(found.split())

    def severity(self, config: MonitoringConfig) -> tuple[str, list[str]]:
        """The most severe level the firing alerts map to, and the label values not mapped."""
        levels, unknown = [], []
        for alert in self.firing or self.alerts:
            value = alert.labels.get(config.severity_label, "")
            level = config.severity_map.get(value) or config.severity_map.get(value.lower())
            if level is None:
                unknown.append(value or "(none)")
                level = config.default_severity
            levels.append(level)
        return min(levels), unknown

    def services(self, config: MonitoringConfig) -> list[str]:
        """The services the alerts name: the first of `service_labels` each alert carries."""
        found: list[str] = []
        for alert in self.alerts:
            for label in config.service_labels:
                value = alert.labels.get(label, "").strip()
                if value:
                    if value not in found:
                        found.append(value)
                    break
        return found


def parse_payload(body: bytes | str) -> WebhookPayload:
    """Read one webhook body; `InvalidInput` in one line when it is not a version 4 payload."""
    try:
        return WebhookPayload.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise InvalidInput(f"not an Alertmanager webhook payload (version 4): {where}: "
                           f"{first.get('msg', 'invalid')}",
                           hint="send the JSON body Alertmanager POSTs to a webhook receiver"
                           ) from None
