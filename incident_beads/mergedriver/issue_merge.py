"""Three-way merge of one issue: field by field, later `updated_at` winning where both changed.

Rules (see docs/bd-interop.md):
- a field changed on one side only takes that side's value; changed on both sides to different
  values, the side with the later `updated_at` wins, ours on a tie;
- `status`, `closed_at` and `close_reason` move together, so `closed_at` stays iff closed; a close
  on one side against a reopen or other status change on the other is settled by time: the
  close's `closed_at` against the other side's `updated_at`, the close winning a tie;
- labels, dependencies (by target and type) and comments (by author, time and text, as bd
  de-duplicates them) merge as sets: added on either side kept, removed on one side removed;
- `metadata` merges per top-level key; inside `"incident_beads"` it merges recursively, lists
  (status updates, mitigations...) as sets by item `id` or by content, in time order (`at`)
  once both sides added to them; comments too are read in time order;
- `updated_at` is the later of the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

from incident_beads.beads.issue import is_omitted, parse_ts

OURS, THEIRS = "ours", "theirs"
OWN_METADATA_KEY = "incident_beads"
_STATUS_KEYS = ("status", "closed_at", "close_reason")
_ABSENT: Any = object()


class Undecided(Exception):
    """Both sides changed something and time cannot say which came last."""


def _canon(value: Any) -> str:
    if value is _ABSENT:
        return "\x00absent"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _same(a: Any, b: Any) -> bool:
    return a is b or _canon(a) == _canon(b)


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return parse_ts(text)
    except ValueError:
        return None


class IssueMerge:
    """Merge the base, ours and theirs versions of one issue (base `{}` when both added it)."""

    def __init__(self, base: dict[str, Any], ours: dict[str, Any],
                 theirs: dict[str, Any]) -> None:
        self.base, self.ours, self.theirs = base, ours, theirs
        when_ours, when_theirs = _moment(ours.get("updated_at")), _moment(theirs.get("updated_at"))
        self.later: str | None = None
        if when_ours is not None and when_theirs is not None:
            self.later = OURS if when_ours >= when_theirs else THEIRS

    def merge(self) -> dict[str, Any]:
        """The merged issue; raises `Undecided` naming the field time cannot settle."""
        merged: dict[str, Any] = {}
        keys = list(dict.fromkeys([*self.ours, *self.theirs, *self.base]))
        for key in keys:
            if key in _STATUS_KEYS:
                continue
            value = self._merge_key(key)
            if value is not _ABSENT:
                merged[key] = value
        winner = self._status_side()
        for key in _STATUS_KEYS:
            value = winner.get(key, _ABSENT)
            if not is_omitted(key, value) and value is not _ABSENT:
                merged[key] = value
        return merged

    # one key -----------------------------------------------------------------------------
    def _merge_key(self, key: str) -> Any:
        b, o, t = (self._get(side, key) for side in (self.base, self.ours, self.theirs))
        if key == "id":
            return o
        if key == "updated_at":
            return self._pick(key, b, o, t) if self.later is None else (
                o if self.later == OURS else t)
        if key == "labels":
            return self._listing(merge_sets(_seq(b), _seq(o), _seq(t), _canon, self._prefer))
        if key == "dependencies":
            return self._listing(merge_sets(_seq(b), _seq(o), _seq(t), _edge_key, self._prefer))
        if key == "comments":
            return self._listing(_merge_comments(_seq(b), _seq(o), _seq(t), self._prefer))
        if key == "metadata":
            return self._merge_metadata(b, o, t)
        return self._pick(key, b, o, t)

    @staticmethod
    def _get(side: dict[str, Any], key: str) -> Any:
        value = side.get(key, _ABSENT)
        return _ABSENT if value is _ABSENT or is_omitted(key, value) else value

    @staticmethod
    def _listing(items: list[Any]) -> Any:
        return items if items else _ABSENT

    def _pick(self, key: str, b: Any, o: Any, t: Any) -> Any:
        if _same(o, t) or _same(t, b):
            return o
        if _same(o, b):
            return t
        if self.later is None:
            raise Undecided(f"`{key}` changed on both sides and an `updated_at` is unreadable")
        return o if self.later == OURS else t

    def _prefer(self, b: Any, o: Any, t: Any) -> Any:
        """Pick between two changed list items: the later side, ours when time cannot tell."""
        if _same(o, t) or _same(t, b):
            return o
        if _same(o, b):
            return t
        return t if self.later == THEIRS else o

    # status, closed_at, close_reason ------------------------------------------------------
    def _status_side(self) -> dict[str, Any]:
        def group(side: dict[str, Any]) -> list[str]:
            status = side.get("status") or "open"
            return [status, *(_canon(self._get(side, k)) for k in _STATUS_KEYS[1:])]

        b, o, t = group(self.base), group(self.ours), group(self.theirs)
        if o == t or t == b:
            return self.ours
        if o == b:
            return self.theirs
        ours_closed, theirs_closed = o[0] == "closed", t[0] == "closed"
        if ours_closed == theirs_closed:
            if self.later is None:
                raise Undecided("`status` changed on both sides and an `updated_at` is unreadable")
            return self.ours if self.later == OURS else self.theirs
        closer, other = (self.ours, self.theirs) if ours_closed else (self.theirs, self.ours)
        closed_when, other_when = _moment(closer.get("closed_at")), _moment(other.get("updated_at"))
        if closed_when is None or other_when is None:
            raise Undecided("closed on one side, reopened or changed on the other, "
                            "and `closed_at` or `updated_at` is unreadable")
        return closer if closed_when >= other_when else other

    # metadata ----------------------------------------------------------------------------
    def _merge_metadata(self, b: Any, o: Any, t: Any) -> Any:
        objects = [_as_object(v) for v in (b, o, t)]
        if any(obj is None for obj in objects):
            return self._pick("metadata", b, o, t)  # not an object somewhere: whole value
        db, do, dt = (obj or {} for obj in objects)
        merged: dict[str, Any] = {}
        for key in dict.fromkeys([*do, *dt, *db]):
            vb, vo, vt = (d.get(key, _ABSENT) for d in (db, do, dt))
            if key == OWN_METADATA_KEY:
                value = self._merge_json(f"metadata.{key}", vb, vo, vt)
            else:
                value = self._pick(f"metadata.{key}", vb, vo, vt)
            if value is not _ABSENT:
                merged[key] = value
        if not merged:
            return _ABSENT
        if isinstance(o, str) or (o is _ABSENT and isinstance(t, str)):
            return json.dumps(merged, ensure_ascii=False, separators=(",", ":"))
        return merged

    def _merge_json(self, where: str, b: Any, o: Any, t: Any) -> Any:
        present = [v for v in (b, o, t) if v is not _ABSENT]
        if present and all(isinstance(v, dict) for v in present) and not _same(o, t):
            db, do, dt = (v if isinstance(v, dict) else {} for v in (b, o, t))
            if o is _ABSENT or t is _ABSENT:
                return self._pick(where, b, o, t)  # one side removed the whole object
            merged: dict[str, Any] = {}
            for key in dict.fromkeys([*do, *dt, *db]):
                value = self._merge_json(f"{where}.{key}", db.get(key, _ABSENT),
                                         do.get(key, _ABSENT), dt.get(key, _ABSENT))
                if value is not _ABSENT:
                    merged[key] = value
            return merged
        if (o is not _ABSENT and t is not _ABSENT and isinstance(o, list)
                and isinstance(t, list) and (b is _ABSENT or isinstance(b, list))):
            return _in_time_order(merge_sets(_seq(b), o, t, _item_key, self._prefer), len(o),
                                  "at")
        return self._pick(where, b, o, t)


def _as_object(value: Any) -> dict[str, Any] | None:
    """The metadata as an object (`{}` when absent), None when it is something else."""
    if value is _ABSENT:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _edge_key(edge: Any) -> Hashable:
    if isinstance(edge, dict):
        return (str(edge.get("depends_on_id")), str(edge.get("type")))
    return _canon(edge)


def _comment_key(comment: Any) -> Hashable:
    if isinstance(comment, dict):
        return (str(comment.get("author")), str(comment.get("created_at")),
                str(comment.get("text")))
    return _canon(comment)


def _item_key(item: Any) -> Hashable:
    if isinstance(item, dict) and isinstance(item.get("id"), str | int):
        return ("id", str(item["id"]))
    return _canon(item)


Prefer = Callable[[Any, Any, Any], Any]


def merge_sets(base: list[Any], ours: list[Any], theirs: list[Any],
               key: Callable[[Any], Hashable], prefer: Prefer) -> list[Any]:
    """Three-way set merge in ours' order, then theirs' additions in theirs' order.

    An item added on either side is kept; one removed on either side is removed (it was in the
    base, so the other side still having it is no re-adding). An item both keep but one side
    changed takes that change; `prefer` settles items both changed.
    """
    in_base = {key(x): x for x in base}
    in_theirs = {key(x): x for x in theirs}
    merged: dict[Hashable, Any] = {}
    for item in ours:
        k = key(item)
        if k in merged or (k in in_base and k not in in_theirs):
            continue
        merged[k] = prefer(in_base.get(k, _ABSENT), item, in_theirs[k]) if k in in_theirs else item
    in_ours = {key(x) for x in ours}
    for k, item in in_theirs.items():
        if k not in in_ours and k not in in_base:
            merged[k] = item
    return list(merged.values())


def _merge_comments(base: list[Any], ours: list[Any], theirs: list[Any],
                    prefer: Prefer) -> list[Any]:
    merged = merge_sets(base, ours, theirs, _comment_key, prefer)
    return _in_time_order(merged, len(ours), "created_at")


def _in_time_order(merged: list[Any], kept_from_ours: int, field: str) -> list[Any]:
    """Once theirs added to a timeline, order it by time (unless a time is unreadable)."""
    if len(merged) <= kept_from_ours:
        return merged
    timed = [(_moment(item.get(field)) if isinstance(item, dict) else None, item)
             for item in merged]
    if any(when is None for when, _ in timed):
        return merged
    return [item for _, item in sorted(timed, key=lambda pair: pair[0] or datetime.min)]
