"""Ask Prometheus's HTTP API one instant query (`/api/v1/query`), with the standard library."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from incident_beads.errors import InvalidInput, MonitoringUnavailable


class PrometheusClient:
    """A Prometheus server at `url` (e.g. `http://127.0.0.1:9090`)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def query(self, promql: str) -> dict[str, float | None]:
        """Evaluate `promql` now; the values by series (`{job="api"}`), None where not a number.

        `MonitoringUnavailable` names the URL when Prometheus cannot be asked; `InvalidInput`
        carries Prometheus's own words when it refuses the query.
        """
        endpoint = f"{self.url}/api/v1/query"
        body = urllib.parse.urlencode({"query": promql}).encode()
        request = urllib.request.Request(endpoint, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = json.load(answer)
        except urllib.error.HTTPError as exc:
            data = _error_body(exc)
            if data is None:
                raise MonitoringUnavailable(f"Prometheus at {self.url} answered HTTP {exc.code}",
                                            hint="check [monitoring] prometheus_url") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise MonitoringUnavailable(f"cannot reach Prometheus at {self.url}: {reason}",
                                        hint="check [monitoring] prometheus_url and that "
                                             "Prometheus is up; nothing was recorded") from None
        except ValueError:
            raise MonitoringUnavailable(f"Prometheus at {self.url} answered something that is "
                                        "not JSON", hint="check [monitoring] prometheus_url"
                                        ) from None
        if not isinstance(data, dict) or data.get("status") != "success":
            error = data.get("error", "unknown error") if isinstance(data, dict) else data
            raise InvalidInput(f"Prometheus at {self.url} refused the query {promql!r}: {error}",
                               hint="fix the check's query in .incident-beads.toml")
        return _values(data.get("data"), self.url)


def _error_body(exc: urllib.error.HTTPError) -> dict[str, Any] | None:
    """Prometheus explains a bad query in a JSON body with a 4xx code; anything else is None."""
    try:
        data = json.load(exc)
    except (ValueError, OSError):
        return None
    return data if isinstance(data, dict) and data.get("status") == "error" else None


def _values(data: Any, url: str) -> dict[str, float | None]:
    if not isinstance(data, dict):
        raise MonitoringUnavailable(f"Prometheus at {url} answered without data")
    kind, result = data.get("resultType"), data.get("result") or []
    try:
        if kind == "vector":
            return {_series(item.get("metric", {})): _number(item["value"][1])
                    for item in result}
        if kind == "scalar":
            return {"scalar": _number(result[1])}
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    raise MonitoringUnavailable(f"Prometheus at {url} answered a {kind or 'malformed'} result",
                                hint="a check's query must give an instant vector or a scalar")


def _series(labels: dict[str, str]) -> str:
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    # An aggregate over everything (`sum(...)`) has no labels left: call it by what it is.
    return f"{name}{{{rest}}}" if name or rest else "value"


def _number(text: Any) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None
