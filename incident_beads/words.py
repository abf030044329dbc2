"""Split text into the words that carry meaning: lowercase, stop words left out.

Used to rank past incidents and write-ups (`knowledge/ranking.py`) and to spot a recurring
incident (`lifecycle/recurrence.py`), so both read a description the same way.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_TEXT = ("a an and are as at be but by for from has have in into is it its of on or the "
              "this that to was were when with after not no can cannot all our we")
#: English words too common to tell two incidents apart.
STOPWORDS = frozenset(_STOP_TEXT.split())


def words(text: str, *, min_length: int = 1, stop: frozenset[str] = STOPWORDS) -> list[str]:
    """The casefolded words of `text` of at least `min_length` letters, `stop` words left out."""
    return [w for w in _WORD.findall(text.casefold()) if len(w) >= min_length and w not in stop]
