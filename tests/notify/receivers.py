"""Real receivers on loopback: an SMTP server (aiosmtpd) and an HTTP endpoint for JSON hooks."""

from __future__ import annotations

import json
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    """A loopback port nothing listens on (for now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebhookReceiver:
    """An HTTP server that keeps every JSON body posted to it; `status` is what it answers
    (`received` keeps the bodies it accepted, `refused` those it answered with an error)."""

    def __init__(self, *, delay: float = 0.0, port: int = 0) -> None:
        self.received: list[dict[str, Any]] = []
        self.refused: list[dict[str, Any]] = []
        self.status = 200
        self.delay = delay
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size) or b"{}")
                time.sleep(receiver.delay)
                with receiver._lock:
                    ok = receiver.status < 300
                    (receiver.received if ok else receiver.refused).append(
                        {"path": self.path, **body})
                    status = receiver.status
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hook") -> str:
        """The Apprise URL that posts JSON here."""
        return f"json://127.0.0.1:{self.port}{path}"

    def titles(self) -> list[str]:
        """The titles received, in order."""
        return [str(m["title"]) for m in self.received]


class SmtpReceiver:
    """An aiosmtpd server that keeps every e-mail it is handed."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.mails: list[EmailMessage] = []
        self.port = free_port()
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any,
                                  envelope: Any) -> str:
                mail = message_from_bytes(envelope.content, policy=policy.default)
                assert isinstance(mail, EmailMessage)
                receiver.mails.append(mail)
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def url(self, to: str = "oncall@example.com") -> str:
        """The Apprise URL that mails here, in plain SMTP on loopback."""
        return (f"mailto://127.0.0.1:{self.port}?from=incidents@example.com&to={to}"
                f"&mode=insecure")

    def bodies(self) -> list[str]:
        """The plain-text bodies received, in order."""
        found = []
        for mail in self.mails:
            part = mail.get_body(preferencelist=("plain",))
            text = part.get_content() if part is not None else ""
            found.append(text.replace("\r\n", "\n"))
        return found
