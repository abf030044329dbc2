"""The settings' shapes: one frozen dataclass per section of `.incident-beads.toml`.

Standard library only: the push guard reads the file on every push.
"""

from __future__ import annotations

from dataclasses import field

from incident_beads import defaults
from incident_beads.config.frozen import Frozen

CONFIG_FILE = defaults.CONFIG_FILE



class SeverityPolicy(Frozen):
    """Response window and status-update cadence of one severity, in minutes."""

    response_minutes: int
    update_minutes: int | None
    postmortem_required: bool


def default_severities() -> dict[str, SeverityPolicy]:
    return {
        "SEV-1": SeverityPolicy(15, 15, True),
        "SEV-2": SeverityPolicy(60, 30, True),
        "SEV-3": SeverityPolicy(240, 60, False),
        # "next business day": at most three days over a weekend.
        "SEV-4": SeverityPolicy(72 * 60, None, False),
    }


class BeadsConfig(Frozen):
    """How the store is named and how it talks to a `bd` binary."""

    prefix: str = ""
    bd_import: bool = True
    bd_export_merge: bool = True


class GitConfig(Frozen):
    """Branches the hotfix flow and the guard work with."""

    main_branch: str = ""  # empty: detect `main`, then `master`
    develop_branch: str = ""  # empty: no back-merge
    remote: str = defaults.REMOTE
    protected_branches: tuple[str, ...] = defaults.PROTECTED_BRANCHES
    # `{id}` is the incident id, `{branch}` the name after `hotfix/` (the push guard's docs).
    tag_names: tuple[str, ...] = defaults.TAG_NAMES


class HotfixConfig(Frozen):
    """Commands and limits of phase 4."""

    deploy_command: tuple[str, ...] = ()
    deploy_timeout_seconds: int = 900
    staging_command: tuple[str, ...] = ()
    staging_timeout_minutes: int = 30
    sev1_staging_timeout_minutes: int = 15
    verify_minutes: int = 15
    max_changed_lines: int = 50
    test_command: tuple[str, ...] = ()
    security_command: tuple[str, ...] = ()
    gate_timeout_seconds: int = 900


class KnowledgeConfig(Frozen):
    """Where learnings live, and when repeated incidents become a pattern."""

    critical_patterns: str = "docs/critical-patterns.md"
    solutions_dir: str = "docs/solutions"
    runbooks_dir: str = "docs/runbooks"
    postmortems_dir: str = "docs/postmortems"
    recurrence_window_days: int = 14
    pattern_threshold: int = 3
    pattern_window_days: int = 90
    postmortem_within_hours: int = 48


class PeopleConfig(Frozen):
    """`[people]`: who may decide and review, who is automated, and whether proof is needed."""

    approvers: tuple[str, ...] = ()  # empty: any person (not an automated actor)
    agents: tuple[str, ...] = ()  # globs; `agent:*` and `*[bot]` are always automated
    approvals: str = "named"  # or "signed": SSH signatures checked against allowed_signers
    allowed_signers: str = ""  # repository path of git's allowed-signers file


class TimeConfig(Frozen):
    """The zone that wall-clock ETAs (`10:45`, `tomorrow 09:00`) are read in."""

    zone: str = "UTC"  # an IANA name such as "Europe/Berlin"


class NotifyConfig(Frozen):
    """Where stakeholders hear about incidents: Apprise URLs, for all and routed ones."""

    urls: tuple[str, ...] = ()
    # "SEV-1" -> URLs that also get the messages of incidents of that severity
    severity: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # message kind ("escalation", "resolved", ...) -> URLs that also get that kind
    kind: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        """True when at least one channel is named."""
        return bool(self.urls or any(self.severity.values()) or any(self.kind.values()))


class FleetRepository(Frozen):
    """One repository of the fleet: a URL or path, a short name, the branch to read."""

    url: str
    name: str = ""  # empty: the last part of the URL
    branch: str = ""  # empty: the remote's default branch (its HEAD)


class FleetConfig(Frozen):
    """The repositories whose stores and knowledge `--fleet` reads (fetched by `fleet fetch`)."""

    repositories: tuple[FleetRepository, ...] = ()
    jobs: int = 4
    timeout_seconds: int = 300




class MetricCheck(Frozen):
    """One named Prometheus check: the query and the bound its every value must keep."""

    name: str
    query: str
    below: float | None = None
    above: float | None = None
    service: str = ""  # empty: the check applies to every incident
    description: str = ""


def _default_severity_map() -> dict[str, str]:
    return {"critical": "SEV-1", "high": "SEV-2", "error": "SEV-2", "warning": "SEV-3",
            "info": "SEV-4"}


class MonitoringConfig(Frozen):
    """Alertmanager in (the alert receiver), Prometheus out (evidence checks)."""

    prometheus_url: str = ""  # empty: no measured evidence; typed evidence works as before
    timeout_seconds: int = 10
    watch_interval_seconds: int = 30
    severity_label: str = "severity"
    default_severity: str = "SEV-3"  # an alert without a known severity label
    service_labels: tuple[str, ...] = ("service", "job")
    token_env: str = ""  # the environment variable holding the receiver's bearer token
    max_body_bytes: int = 1024 * 1024
    severity_map: dict[str, str] = field(default_factory=_default_severity_map)
    checks: dict[str, MetricCheck] = field(default_factory=dict)

    def checks_for(self, services: list[str] | tuple[str, ...]) -> list[MetricCheck]:
        """The checks of these services, and those that name no service."""
        wanted = {s.strip().casefold() for s in services}
        return [c for c in self.checks.values()
                if not c.service or c.service.strip().casefold() in wanted]




class Config(Frozen):
    """All settings of one repository."""

    beads: BeadsConfig = field(default_factory=BeadsConfig)
    git: GitConfig = field(default_factory=GitConfig)
    hotfix: HotfixConfig = field(default_factory=HotfixConfig)
    knowledge: KnowledgeConfig = field(default_factory=KnowledgeConfig)
    severity: dict[str, SeverityPolicy] = field(default_factory=default_severities)
    people: PeopleConfig = field(default_factory=PeopleConfig)
    time: TimeConfig = field(default_factory=TimeConfig)
    monitoring: MonitoringConfig = field(default_factory=MonitoringConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    fleet: FleetConfig = field(default_factory=FleetConfig)

