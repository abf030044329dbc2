"""Check a whole file against bd's import rules, reporting every bad line by number and id.

bd's own configuration counts: the custom types and statuses of `.beads/config.yaml`
(`types.custom`, `statuses.custom`) are accepted as `bd import` accepts them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from incident_beads.beads.fileio import read_regular
from incident_beads.beads.import_rules import CUSTOM_TYPE_RULE, Violation, import_violations
from incident_beads.beads.line_check import check_line
from incident_beads.errors import MalformedFile

NO_ID = "(no id)"
_ID_IN_LINE = re.compile(rb'"id"\s*:\s*"((?:[^"\\]|\\.){1,200})"')


class BdConfig(NamedTuple):
    """What bd's `.beads/config.yaml` adds to its built-in types and statuses."""

    custom_types: frozenset[str] = frozenset()
    custom_statuses: frozenset[str] = frozenset()


def read_bd_config(beads_dir: Path) -> BdConfig:
    """`types.custom` and `statuses.custom` of `.beads/config.yaml` (missing: none).

    Both spellings bd's configuration reader takes: the dotted key (`types.custom: a,b`) and
    the nested one (`types:` then `  custom: [a, b]`); a value is a comma-separated text or a
    list.
    """
    try:
        text = (beads_dir / "config.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return BdConfig()
    values = _flat_yaml(text)
    return BdConfig(frozenset(values.get("types.custom", ())),
                    frozenset(values.get("statuses.custom", ())))


def _flat_yaml(text: str) -> dict[str, list[str]]:
    """The scalar and list values of a simple YAML mapping, by dotted key."""
    found: dict[str, list[str]] = {}
    parents: list[tuple[int, str]] = []
    last_key = ""
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if stripped.startswith("- "):
            if last_key:
                found.setdefault(last_key, []).append(_unquote(stripped[2:]))
            continue
        key, colon, value = stripped.partition(":")
        if not colon:
            continue
        while parents and parents[-1][0] >= indent:
            parents.pop()
        dotted = ".".join([*(name for _, name in parents), _unquote(key)])
        value = value.strip()
        if not value:
            parents.append((indent, _unquote(key)))
            last_key = dotted
            continue
        last_key = ""
        if value.startswith("[") and value.endswith("]"):
            items = value[1:-1].split(",")
        else:
            items = _unquote(value).split(",")
        found[dotted] = [_unquote(item) for item in items if _unquote(item)]
    return found


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].strip()
    return text


def validate(path: Path | str, config: BdConfig | None = None) -> list[Violation]:
    """Every line of the file that breaks a rule, in line order (empty: `bd import` accepts it)."""
    path = Path(path)
    config = config or read_bd_config(path.parent)
    read = read_regular(path)
    data = read[0] if read is not None else b""
    found: list[Violation] = []
    seen: dict[str, int] = {}
    targets: list[tuple[int, str, str]] = []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, piece in enumerate(lines, start=1):
        try:
            issue_id = check_line(str(path), number, piece, seen, None)
        except MalformedFile as exc:
            # the message starts with `<file>:<line>: `, and a file name may hold ": " too
            found.append(Violation(number, id_in_line(piece),
                                   exc.message.removeprefix(f"{path}:{number}: ")))
            continue
        if issue_id is None:
            continue
        record = json.loads(piece)
        found.extend(Violation(number, issue_id, rule,
                               "warning" if rule.endswith(CUSTOM_TYPE_RULE) else "error")
                     for rule in import_violations(record, custom_types=config.custom_types,
                                                   custom_statuses=config.custom_statuses))
        for dep in record.get("dependencies") or []:
            targets.append((number, issue_id, str(dep.get("depends_on_id", ""))))
    for number, issue_id, target in targets:
        if target not in seen and not target.startswith("external:"):
            found.append(Violation(number, issue_id,
                                   f"depends on {target}, which is not in the file "
                                   "(bd drops the dependency)", "warning"))
    return sorted(found)


def id_in_line(piece: bytes) -> str:
    """The issue id a line names, even a line that is not valid JSON; `(no id)` when none."""
    match = _ID_IN_LINE.search(piece[:4096])
    if match is None:
        return NO_ID
    try:
        value = json.loads(b'"' + match.group(1) + b'"')
    except ValueError:
        return match.group(1).decode("utf-8", "replace")
    return str(value) or NO_ID


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def rule_kind(rule: str) -> str:
    """The rule a violation breaks, without the values of this line (to group lines by)."""
    if rule.startswith("depends on "):
        return "depends on an issue that is not in the file (bd drops the dependency)"
    text = _QUOTED.sub("…", rule)
    return re.sub(r"\d[\d,]*", "N", text)


class Group(NamedTuple):
    """Warnings of one kind on lines the tool did not write."""

    kind: str
    violations: tuple[Violation, ...]


def split_foreign(problems: Sequence[Violation],
                  written_here: Iterable[int]) -> tuple[list[Violation], list[Group]]:
    """Errors and warnings of lines this tool wrote, listed; other lines' warnings grouped.

    `written_here` holds the numbers of the lines the store wrote (its journal says which).
    """
    ours = set(written_here)
    listed: list[Violation] = []
    groups: dict[str, list[Violation]] = {}
    for problem in problems:
        if problem.level == "warning" and problem.line not in ours:
            groups.setdefault(rule_kind(problem.rule), []).append(problem)
        else:
            listed.append(problem)
    return listed, [Group(kind, tuple(items)) for kind, items in sorted(
        groups.items(), key=lambda item: (-len(item[1]), item[0]))]
