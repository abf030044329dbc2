"""The "did you mean" of an unknown id: the ids one slip of the keyboard away from it."""

from __future__ import annotations

from collections.abc import Iterable

#: More than this many look-alikes help nobody choose.
MAX_SUGGESTIONS = 3


def one_slip_away(typed: str, candidate: str) -> bool:
    """True when `candidate` is `typed` with one character missing, extra, wrong or swapped."""
    typed, candidate = typed.casefold(), candidate.casefold()
    if typed == candidate:
        return True
    if abs(len(typed) - len(candidate)) > 1:
        return False
    if len(typed) + 1 == len(candidate):  # the usual slip: a character left out
        return any(candidate[:i] + candidate[i + 1:] == typed for i in range(len(candidate)))
    if len(typed) == len(candidate) + 1:
        return any(typed[:i] + typed[i + 1:] == candidate for i in range(len(typed)))
    differ = [i for i, (a, b) in enumerate(zip(typed, candidate, strict=True)) if a != b]
    if len(differ) == 1:
        return True
    first, second = differ[0], differ[-1]
    return (len(differ) == 2 and second == first + 1
            and typed[first] == candidate[second] and typed[second] == candidate[first])


def did_you_mean(typed: str, known: Iterable[str | None]) -> list[str]:
    """The known ids one slip away from `typed`, in file order, at most a few."""
    found: list[str] = []
    for candidate in known:
        if candidate and candidate != typed and one_slip_away(typed, candidate):
            found.append(candidate)
            if len(found) == MAX_SUGGESTIONS:
                break
    return found


def not_found_hint(typed: str, known: Iterable[str | None]) -> str:
    """The hint for an unknown id: the look-alikes, else where the ids are listed."""
    close = did_you_mean(typed, known)
    listing = "`incident list --all` shows the ids"
    if not close:
        return listing
    return f"did you mean {' or '.join(close)}? {listing}"
