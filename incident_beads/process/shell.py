"""Quote words for a POSIX shell: the fix commands the guard prints, the hook and merge driver
lines the installers write, the stash command a refusal suggests.

Standard library only and without `re`, since the push hook prints fix commands.
"""

from __future__ import annotations

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_^")


def shell_quote(text: str, *, always: bool = False) -> str:
    """`text` as one shell word: left bare when nothing in it is special, unless `always`."""
    if not always and text and not set(text) - _SAFE:
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"
