"""`[notify]`: URLs and routes read, literal secrets refused by name, `${VAR}` expanded late."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_beads.config import load_config
from incident_beads.errors import InvalidInput, MalformedFile
from incident_beads.notify.channels import channels_for, expand, label


def config_with(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".incident-beads.toml").write_text(text)
    return tmp_path


def test_urls_and_routes_are_read(tmp_path: Path) -> None:
    root = config_with(tmp_path, """
[notify]
urls = ["slack://${SLACK_A}/${SLACK_B}/${SLACK_C}/#incidents"]
[notify.severity]
"SEV-1" = ["mailto://${SMTP_USER}:${SMTP_PASS}@smtp.example.com?to=exec@example.com"]
[notify.kind]
escalation = ["msteams://${TEAMS_WEBHOOK}/"]
resolved = ["slack://${SLACK_A}/${SLACK_B}/${SLACK_C}/#incidents"]
""")
    notify = load_config(root).notify
    assert notify.configured
    slack = "slack://${SLACK_A}/${SLACK_B}/${SLACK_C}/#incidents"
    assert channels_for(notify, kind="update", severity="SEV-2") == [slack]
    assert channels_for(notify, kind="escalation", severity="SEV-1") == [
        slack, "mailto://${SMTP_USER}:${SMTP_PASS}@smtp.example.com?to=exec@example.com",
        "msteams://${TEAMS_WEBHOOK}/"]
    assert channels_for(notify, kind="resolved", severity="SEV-3") == [slack]  # once each


def test_no_notify_table_means_no_channels(tmp_path: Path) -> None:
    assert not load_config(tmp_path).notify.configured


@pytest.mark.parametrize(("url", "shown"), [
    ("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#incidents", "T1JJ..."),
    ("https://hooks.slack.com/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ",
     "T1JJ..."),
    ("https://contoso.webhook.office.com/webhookb2/${A}/IncomingWebhook/9f2b7c11d8e4/${B}",
     "9f2b..."),
    ("msteams://contoso/${A}/b1c2d3e4-0000-4000/${C}", "b1c2..."),
    ("workflows://prod-00.westus.logic.azure.com:443/643e69f83c89/${TEAMS_SIG}/", "643e..."),
    ("https://prod-00.westus.logic.azure.com:443/workflows/${W}/triggers/manual/paths/invoke"
     "?api-version=2016-06-01&sig=KODuebWbDGYFr0z0eu", "KODu..."),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "4174..."),
    ("mailto://ops:hunter2hunter2@smtp.example.com", "hunt..."),
    ("json://hooks.example.com/notify?token=s3cr3t-value", "s3cr..."),
    ("json://hooks.example.com/in/2b7e1516aed2a6abf7158809cf4f3c", "2b7e..."),
])
def test_a_literal_secret_is_refused_by_name(tmp_path: Path, url: str, shown: str) -> None:
    root = config_with(tmp_path, f'[notify]\nurls = ["json://ok.example.com/x"]\n'
                                 f'[notify.kind]\nresolved = ["{url}"]\n')
    with pytest.raises(MalformedFile) as refused:
        load_config(root)
    line = refused.value.one_line()
    assert f"notify.kind.resolved[0] ({url.split(':')[0]}://) holds a literal secret ({shown})" \
        in line
    assert "${NAME}" in line
    start = url.index(shown[:4])
    assert url[start:start + 8] not in line


@pytest.mark.parametrize("url", [
    "slack://${SLACK_A}/${SLACK_B}/${SLACK_C}/#incidents",
    "slack://incident-bot@${SLACK_A}/${SLACK_B}/${SLACK_C}/#incidents/@alice",
    "msteams://contoso/${TEAMS_A}/${TEAMS_B}/${TEAMS_C}/",
    "workflows://prod-00.westus.logic.azure.com:443/${TEAMS_WORKFLOW}/${TEAMS_SIGNATURE}/",
    "https://contoso.webhook.office.com/webhookb2/${TEAMS_PATH}",
    "mailto://${SMTP_USER}:${SMTP_PASS}@smtp.example.com?to=ops@example.com",
    "mailto://127.0.0.1:2525?from=incidents@example.com&to=ops@example.com&mode=insecure",
    "json://hooks.example.com/incident-events?token=${HOOK_TOKEN}",
])
def test_urls_naming_variables_are_accepted(tmp_path: Path, url: str) -> None:
    root = config_with(tmp_path, f'[notify]\nurls = ["{url}"]\n')
    assert load_config(root).notify.urls == (url,)


@pytest.mark.parametrize(("text", "says"), [
    ('[notify]\nurl = ["json://x/y"]\n', "unknown key notify.url"),
    ('[notify]\nurls = "json://x/y"\n', "notify.urls must be a list of Apprise URLs"),
    ('[notify]\nurls = ["hooks.example.com/x"]\n', "notify.urls[0] is not an Apprise URL"),
    ('[notify.severity]\n"SEV-9" = ["json://x/y"]\n', "unknown severity notify.severity.SEV-9"),
    ('[notify.kind]\nparty = ["json://x/y"]\n', "unknown kind notify.kind.party"),
])
def test_bad_tables_are_refused_in_one_line(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(MalformedFile, match=None) as refused:
        load_config(config_with(tmp_path, text))
    assert says in refused.value.one_line()


def test_variables_are_expanded_only_when_sending() -> None:
    url, secrets = expand("slack://${A}/${B}/#ops", {"A": "tok-a", "B": "tok-b"})
    assert url == "slack://tok-a/tok-b/#ops"
    assert secrets == ["tok-a", "tok-b"]
    with pytest.raises(InvalidInput, match="environment variable B is not set"):
        expand("slack://${A}/${B}/#ops", {"A": "tok-a"})
    assert label("json://h/x?token=${T}") == "json://h/x"
