"""The webhook receiver Alertmanager calls: a WSGI app served by waitress, a threaded server.

One delivery is one POST to `/`. A body that is not a payload gets 400 and writes nothing; a
write that fails gets 500 so that Alertmanager retries; every delivery is one log line.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from incident_beads import collector
from incident_beads.config import Config
from incident_beads.errors import IncidentBeadsError, InvalidInput, Refused
from incident_beads.monitoring.alertmanager import parse_payload
from incident_beads.monitoring.intake import receive
from incident_beads.response import IncidentResponse

DEFAULT_LISTEN = "127.0.0.1:9095"
StartResponse = Callable[..., Any]
Log = Callable[[str], None]


def parse_listen(text: str) -> tuple[str, int]:
    """`HOST:PORT` (IPv6 as `[::1]:9095`); port 0 asks the system for a free one."""
    host, sep, port = text.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise InvalidInput(f"cannot read the address {text!r}", hint="--listen 127.0.0.1:9095")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses, which only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bearer_token(config: Config, host: str) -> str | None:
    """The token requests must carry, read from the variable `[monitoring] token_env` names.

    Refused when listening beyond loopback without one: anyone on the network could declare
    incidents otherwise.
    """
    name = config.monitoring.token_env
    token = os.environ.get(name, "") if name else ""
    if not token and not is_loopback(host):
        raise Refused(f"listening on {host} needs a bearer token",
                      hint="set [monitoring] token_env = \"VARIABLE\" and export VARIABLE; "
                           "configure Alertmanager's http_config.authorization with it")
    return token or None


class Receiver:
    """The WSGI application: authenticate, read, take in, answer, log."""

    def __init__(self, root: Path, config: Config, *, token: str | None, log: Log,
                 actor: str | None = None) -> None:
        self.root, self.config, self.token, self.log, self.actor = root, config, token, log, actor
        # Deliveries are taken in one at a time: each is a short store transaction, and the
        # writers' lock across processes sits below this one.
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        status, answer = self._handle(environ)
        peer = environ.get("REMOTE_ADDR", "-")
        self.log(f"{peer} {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')} "
                 f"{status} {answer.get('outcome') or answer.get('error', '')} "
                 f"{answer.get('incident_id') or ''} {answer.get('detail', '')}".rstrip())
        body = json.dumps(answer).encode()
        start(f"{status} {_REASONS[status]}", [("Content-Type", "application/json"),
                                               ("Content-Length", str(len(body)))])
        return [body]

    def _handle(self, environ: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if environ.get("PATH_INFO", "/") != "/":
            return 404, {"error": "not found", "detail": "POST webhooks to /"}
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, {"error": "method not allowed", "detail": "POST webhooks to /"}
        if self.token is not None:
            given = environ.get("HTTP_AUTHORIZATION", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                return 401, {"error": "unauthorized", "detail": "a bearer token is required"}
        body = self._body(environ)
        if body is None:
            return 400, {"error": "bad request",
                         "detail": f"the body is over {self.config.monitoring.max_body_bytes} "
                                   "bytes"}
        try:
            payload = parse_payload(body)
        except InvalidInput as exc:
            return 400, {"error": "bad request", "detail": exc.message}
        try:
            with self._lock:
                response = IncidentResponse(self.root, config=self.config)
                delivery = receive(response, payload, actor=self.actor)
        except IncidentBeadsError as exc:
            return 500, {"error": "not recorded", "detail": exc.one_line()}
        except OSError as exc:
            return 503, {"error": "not recorded", "detail": str(exc)}
        data = delivery.as_data()
        if delivery.escalation is not None:
            data["detail"] = delivery.escalation.one_line()
        return 200, data

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        limit = self.config.monitoring.max_body_bytes
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if declared > limit:
            return None
        data: bytes = environ["wsgi.input"].read(min(declared, limit + 1) if declared else
                                                  limit + 1)
        return data if len(data) <= limit else None


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed", 500: "Internal Server Error", 503: "Service Unavailable"}


def serve(root: Path, config: Config, listen: str = DEFAULT_LISTEN, *, log: Log,
          actor: str | None = None, threads: int = 8,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the receiver until SIGTERM or SIGINT; deliveries under way finish first."""
    try:
        from waitress.server import create_server  # type: ignore[import-untyped]
    except ImportError:
        raise Refused("incident serve needs the waitress server",
                      hint="pip install 'incident_beads[monitoring]'") from None

    collector.resume()  # the command line pauses the collector for its short commands
    host, port = parse_listen(listen)
    token = bearer_token(config, host)
    if token is None and config.monitoring.token_env:
        log(f"warning: {config.monitoring.token_env} is not set: requests are not "
            "authenticated (loopback only)")
    app = Receiver(root, config, token=token, log=log, actor=actor)
    # waitress answers 413 above its own limit; ours (400, the contract) sits well below it.
    server = create_server(app, host=host, port=port, threads=threads, ident="incident-beads",
                           max_request_body_size=max(config.monitoring.max_body_bytes * 4,
                                                     1 << 20))
    address = f"http://{host if ':' not in host else f'[{host}]'}:{server.effective_port}/"
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if on_ready is not None:
            on_ready(address)
        server.run()  # returns after SIGTERM/SIGINT, once the task threads have finished
    except SystemExit:
        pass  # SIGTERM before the loop began
    finally:
        server.close()
        signal.signal(signal.SIGTERM, previous)


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(0)
