"""A stand-in for Prometheus's query API on a loopback port, for the fast tests: it answers
from a script and refuses any request that is not the query a check configures."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakePrometheus:
    """Answers `/api/v1/query` with the next scripted vector of values for a known query."""

    def __init__(self, expected: dict[str, list[list[float] | None]]) -> None:
        # query -> one entry per call: a list of values (one series each) or None (no data)
        self.script = {q: list(values) for q, values in expected.items()}
        self.asked: list[str] = []
        self.url = ""

    def answer(self, path: str, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        if path != "/api/v1/query" or list(form) != ["query"]:
            return 404, {"status": "error", "error": f"unexpected {path} {form}"}
        query = form["query"][0]
        self.asked.append(query)
        if query not in self.script:
            return 400, {"status": "error", "errorType": "bad_data",
                         "error": f'1:1: parse error: unexpected query "{query}"'}
        steps = self.script[query]
        values = steps.pop(0) if len(steps) > 1 else steps[0]
        result = [{"metric": {"job": "checkout", "instance": f"i{n}"},
                   "value": [1764749351.0, "NaN" if v != v else str(v)]}
                  for n, v in enumerate(values or [])]
        return 200, {"status": "success", "data": {"resultType": "vector", "result": result}}


@contextmanager
def fake_prometheus(expected: dict[str, list[list[float] | None]]) -> Iterator[FakePrometheus]:
    """Serve a `FakePrometheus` on a free loopback port for the block."""
    fake = FakePrometheus(expected)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length", 0))
            assert self.headers["Content-Type"] == "application/x-www-form-urlencoded"
            form = urllib.parse.parse_qs(self.rfile.read(size).decode())
            status, data = fake.answer(self.path, form)
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
