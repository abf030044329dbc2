"""A JSON web-hook receiver on loopback: try channels out (the demo shows what it got)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LocalReceiver:
    """Keep every JSON body posted to `url`, as Apprise's `json://` sends them."""

    def __init__(self, path: str = "/incidents") -> None:
        self.received: list[dict[str, Any]] = []
        self.path = path
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                try:
                    received.append(json.loads(self.rfile.read(size) or b"{}"))
                except ValueError:
                    self.send_response(400)
                else:
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return  # the demo prints what arrived, not the access log

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The Apprise URL that posts here."""
        return f"json://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def __enter__(self) -> LocalReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
