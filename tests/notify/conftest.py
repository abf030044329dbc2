"""Fixtures for notifications: real receivers on loopback and a repository routed to them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lifecycle.lifecycle_helpers import FakeClock
from tests.notify.receivers import SmtpReceiver, WebhookReceiver

pytest.importorskip("apprise", reason="the notify extra (apprise) is not installed")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    pytest.importorskip("aiosmtpd", reason="aiosmtpd is not installed")
    with SmtpReceiver() as receiver:
        yield receiver


def write_notify(root: Path, *urls: str, extra: str = "") -> None:
    """Write `[notify] urls = [...]` (and `extra` TOML) into the repository's config."""
    listed = ", ".join(f'"{u}"' for u in urls)
    (root / ".incident-beads.toml").write_text(f"[notify]\nurls = [{listed}]\n{extra}")


@pytest.fixture
def notify_repo(store_repo: Path, webhook: WebhookReceiver) -> Path:
    """A store whose every message goes to the webhook receiver."""
    write_notify(store_repo, webhook.url())
    return store_repo
