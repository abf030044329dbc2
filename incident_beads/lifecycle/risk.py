"""Named risks that steps ask an explicit acknowledgment for."""

from __future__ import annotations


class KnownRisk:
    """Risk names used by the library; any other name may be acknowledged too."""

    #: Scheduling the post-mortem later than the window after resolution (default 48 h).
    POSTMORTEM_BEYOND_WINDOW = "postmortem-beyond-window"
    #: Working to an ETA beyond the severity's response window after it was escalated.
    ETA_BEYOND_WINDOW = "eta-beyond-window"
    #: A hotfix while rollback is still possible, or one without a rollback path.
    HOTFIX_WITHOUT_ROLLBACK = "hotfix-without-rollback"
    #: A hotfix for a SEV-3/4 incident (the seed keeps hotfixes for SEV-1/2).
    HOTFIX_MINOR_SEVERITY = "hotfix-minor-severity"
    #: Scope flags on a hotfix ("while we're here": lines over the limit, files out of scope,
    #: renames, formatting) that a person accepts; nothing else waives them.
    HOTFIX_SCOPE = "hotfix-scope"
    #: Resolving while the latest measured monitoring evidence fails.
    EVIDENCE_FAILING = "evidence-failing"
    #: Resolving on typed evidence where monitoring checks apply but nothing was measured.
    EVIDENCE_NOT_MEASURED = "evidence-not-measured"
