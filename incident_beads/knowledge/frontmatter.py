"""Read and write the YAML front matter of write-ups.

Reading goes through a YAML parser (PyYAML's safe loader), so front matter people edited by hand
(nested maps, block scalars, anchors, comments) reads as YAML means it. Writing stays our own:
the compound-engineering fields are flat (scalars and lists of strings), written with every
value quoted that a strict YAML parser could read as something other than the same string, and
any other value people added is written back as YAML.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

# Items starting with one of these, or containing ": ", must be double-quoted (compound rule).
RESERVED_START = "`[*&!|>%@?"
# Plain scalars YAML 1.1 or 1.2 would read as booleans, nulls or numbers.
_SPECIAL_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"})
_NUMBER_LIKE = re.compile(r"[-+]?(\.?[0-9][0-9_:.,eE+-]*|\.inf|\.nan|0x[0-9a-fA-F_]+|0o[0-7_]+)",
                          re.IGNORECASE)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class FrontMatterError(ValueError):
    """A front matter line this reader does not understand (1-based line within the block)."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(f"line {line}: {what}")
        self.line = line
        self.what = what


def parse_front_matter(lines: Sequence[str], *, strict: bool = True) -> dict[str, Any]:
    """Read front matter with a YAML parser: what people edit (nested maps, block scalars,
    anchors) reads as YAML says. Dates come back as `YYYY-MM-DD` strings, as they are written.

    With `strict=False`, a file YAML refuses is read line by line, skipping what cannot be read.
    """
    import yaml  # only where front matter is read: the push hook never gets here

    try:
        loaded = _load_yaml("\n".join(lines)) if any(line.strip() for line in lines) else {}
    except yaml.YAMLError as exc:
        if strict:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise FrontMatterError(line, f"not valid YAML: {problem}") from None
        return parse_flat(lines, strict=False)
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        if strict:
            raise FrontMatterError(1, "expected `key: value` lines")
        return {}
    return {str(key): _plain(value) for key, value in loaded.items()}


def _load_yaml(text: str) -> Any:
    """YAML's safe load, by libyaml where PyYAML has it (many times faster, the same rules);
    a document it refuses is read again by the pure loader, whose errors say where as before."""
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        with contextlib.suppress(yaml.YAMLError):
            return yaml.load(text, Loader=fast)
    return yaml.safe_load(text)


def _plain(value: Any) -> Any:
    """YAML's dates and times as the text they were written as; containers walked."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_flat(lines: Sequence[str], *, strict: bool = True) -> dict[str, Any]:
    """Read flat YAML lines into a dict of strings, ints and lists of strings, by hand.

    The fallback for files a YAML parser refuses; with `strict=False`, lines that cannot be
    read are skipped instead of raising.
    """
    data: dict[str, Any] = {}
    current_list: list[Any] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            if (line[0] in " \t-" and stripped.startswith("- ")) or stripped == "-":
                if current_list is None:
                    raise FrontMatterError(number, "list item outside a list")
                current_list.append(_scalar(stripped[1:].strip(), number))
                continue
            if line[0] in " \t":
                raise FrontMatterError(number, "nested values are not supported")
            key, sep, rest = line.partition(":")
            if not sep or not _KEY.fullmatch(key):
                raise FrontMatterError(number, "expected `key: value`")
            rest = rest.strip()
            current_list = None
            if not rest or rest.startswith("#"):
                current_list = []
                data[key] = current_list
            elif rest.startswith("["):
                data[key] = _flow_list(rest, number)
            elif rest[0] in "|>{":
                raise FrontMatterError(number, f"{rest[0]!r} values are not supported")
            else:
                data[key] = _scalar(rest, number)
        except FrontMatterError:
            if strict:
                raise
    return data


def _scalar(text: str, number: int) -> Any:
    if text.startswith('"'):
        end = _closing_quote(text, number)
        return _unescape(text[1:end], number)
    if text.startswith("'"):
        return text[1:_closing_single(text, number)].replace("''", "'")
    value = text.split(" #", 1)[0].rstrip()
    if re.fullmatch(r"[-+]?[0-9]+", value):
        return int(value)
    return value


_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n",
                   "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/",
                   "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _unescape(body: str, number: int) -> str:
    """Decode the inside of a YAML double-quoted scalar (YAML 1.2 escapes)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        code = body[i + 1: i + 2]
        if code in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in _HEX_ESCAPES:
            digits = body[i + 2: i + 2 + _HEX_ESCAPES[code]]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                raise FrontMatterError(number, f"bad escape \\{code}{digits}") from None
            i += 2 + len(digits)
        else:
            raise FrontMatterError(number, f"unknown escape \\{code}")
    return "".join(out)


def _closing_single(text: str, number: int) -> int:
    end = 1
    while True:
        end = text.find("'", end)
        if end < 0:
            raise FrontMatterError(number, "unclosed single quote")
        if text[end + 1: end + 2] != "'":
            return end
        end += 2


def _closing_quote(text: str, number: int) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    raise FrontMatterError(number, "unclosed double quote")


def _flow_list(text: str, number: int) -> list[Any]:
    body = text.strip()
    if not body.endswith("]"):
        body = body.split(" #", 1)[0].rstrip()
    if not body.endswith("]"):
        raise FrontMatterError(number, "unclosed [ list")
    inner = body[1:-1]
    items: list[Any] = []
    i = 0
    while i < len(inner):
        while i < len(inner) and inner[i] in " \t":
            i += 1
        if i >= len(inner):
            break
        if inner[i] in "\"'":
            quote = inner[i]
            end = (_closing_quote(inner[i:], number) if quote == '"'
                   else _closing_single(inner[i:], number))
            items.append(_scalar(inner[i: i + end + 1], number))
            i += end + 1
            while i < len(inner) and inner[i] != ",":
                i += 1
            i += 1
        else:
            comma = inner.find(",", i)
            comma = len(inner) if comma < 0 else comma
            item = inner[i:comma].strip()
            if item:
                items.append(_scalar(item, number))
            i = comma + 1
    return items


def needs_quotes(value: str) -> bool:
    """True when `value` must be double-quoted to be read back as the same string."""
    if not value or value != value.strip() or value[0] in RESERVED_START:
        return True
    if value[0] in "-:,#{}]'\"" or ": " in value or " #" in value or value.endswith(":"):
        return True
    if value.lower() in _SPECIAL_WORDS or _NUMBER_LIKE.fullmatch(value):
        return True
    if value in ("=", "<<"):  # YAML 1.1's value and merge keys: PyYAML does not read them back
        return True
    return any(not ch.isprintable() or ch in "\t\u0085\u2028\u2029\ufeff" for ch in value)


def quote(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value`."""
    text = json.dumps(value, ensure_ascii=False)
    out: list[str] = []
    for ch in text:
        if ch in "\u0085\u2028\u2029\ufeff" or (not ch.isprintable() and ch not in " "):
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def format_scalar(value: Any) -> str:
    """One scalar as YAML: ints as numbers, strings plain when safe, else double-quoted."""
    if isinstance(value, bool) or value is None:
        raise TypeError(f"unsupported front matter value {value!r}")
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return quote(text) if needs_quotes(text) else text


def dump_front_matter(data: Mapping[str, Any], *, plain_keys: Sequence[str] = ()) -> list[str]:
    """The front matter lines (without the `---` fences) for a flat mapping.

    `plain_keys` are written unquoted as given (the `YYYY-MM-DD` date, already validated).
    """
    lines: list[str] = []
    for key, value in data.items():
        if value is None:
            continue
        if _nested(value):  # a value people added by hand: written back as YAML writes it
            import yaml

            dumped = yaml.safe_dump({key: value}, allow_unicode=True, sort_keys=False,
                                    default_flow_style=False, width=1000)
            lines.extend(dumped.rstrip("\n").split("\n"))
        elif isinstance(value, list | tuple):
            if not value:
                continue
            lines.append(f"{key}:")
            lines.extend(f"  - {format_scalar(item)}" for item in value)
        elif key in plain_keys:
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {format_scalar(value)}")
    return lines


def _nested(value: Any) -> bool:
    """True for what the flat writer cannot say: maps, lists of non-scalars, floats, booleans."""
    if isinstance(value, dict | bool | float):
        return True
    if isinstance(value, list | tuple):
        return any(isinstance(v, dict | list | tuple | bool | float) or v is None for v in value)
    return False
