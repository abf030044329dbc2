"""Rank past incidents and write-ups against a description: BM25F over weighted fields.

Each document has fields (title, symptoms, root cause, component, tags); a term's frequency in a
field is normalised by that field's length against the field's average, weighted, summed over
fields, then saturated once (BM25F, Robertson & Zaragoza). Everything is computed per call from
plain tuples: 2,000 documents take a few tens of milliseconds, most of it tokenizing, which a
document whose `terms` are known already (remembered, see `knowledge.incident_corpus`) skips.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from incident_beads.words import words

FIELDS = ("title", "symptoms", "root_cause", "component", "tags")
# Component and title say most about "the same incident"; free-text symptoms the least per word.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "title": 3.0, "symptoms": 2.0, "root_cause": 2.0, "component": 3.0, "tags": 1.5,
}
K1 = 1.2
B = 0.75



_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """A light suffix strip so that `timeouts`, `timeout` and `timed` meet (same on both sides)."""
    found = _STEMS.get(word)
    if found is None:
        found = _strip(word)
        if len(_STEMS) < 100_000:  # a bounded memo: the vocabulary of incidents is small
            _STEMS[word] = found
    return found


def _strip(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase words, stop words left out, lightly stemmed."""
    return [stem(w) for w in words(text)]


class RankDoc(NamedTuple):
    """A document to rank: an id, its kind, and the text of each field."""

    key: str
    kind: str  # "incident" or "writeup"
    fields: Mapping[str, str]
    info: Mapping[str, Any]  # shown with the match (title, path, severity...)
    #: each field's words as `tokenize` gives them, when known already; else they are
    #: tokenized from `fields` as the document is ranked
    terms: Mapping[str, Sequence[str]] | None = None


def terms_of(doc: RankDoc) -> Mapping[str, Sequence[str]]:
    """Each field's tokenized words: the document's own `terms`, else tokenized now."""
    if doc.terms is not None:
        return doc.terms
    return {name: tokenize(doc.fields.get(name, "")) for name in FIELDS}


class Match(NamedTuple):
    """A ranked document with its BM25F score and the query terms it matched."""

    doc: RankDoc
    score: float
    terms: tuple[str, ...]


def rank(docs: Sequence[RankDoc], query: str, *, limit: int = 5,
         weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> list[Match]:
    """The `limit` best documents for `query`, best first; ties keep the given order."""
    terms = list(dict.fromkeys(tokenize(query)))
    if not terms or not docs:
        return []
    wanted = set(terms)
    # Per document, per field: the query terms it holds (as often as it holds them), and the
    # field's length; plain lists, as a query has few terms and a field few hits.
    counts: list[dict[str, list[str]]] = []
    lengths: list[dict[str, int]] = []
    totals = dict.fromkeys(FIELDS, 0)
    frequency = dict.fromkeys(terms, 0)  # how many documents hold each term
    for doc in docs:
        per_field: dict[str, list[str]] = {}
        sizes: dict[str, int] = {}
        known = terms_of(doc)
        for name in FIELDS:
            tokens = known.get(name, ())
            sizes[name] = len(tokens)
            totals[name] += len(tokens)
            if not wanted.isdisjoint(tokens):  # in C: most fields hold no query term
                per_field[name] = [t for t in tokens if t in wanted]
        if per_field:
            for term in {t for hits in per_field.values() for t in hits}:
                frequency[term] += 1
        counts.append(per_field)
        lengths.append(sizes)
    size = len(docs)
    average = {name: (totals[name] / size) or 1.0 for name in FIELDS}
    idf = {t: math.log(1 + (size - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in terms}
    scored: list[Match] = []
    for n, per_field in enumerate(counts):
        if not per_field:
            continue
        # each term's weighted frequency, summed over the fields in their order
        weighted: dict[str, float] = {}
        for name, hits in per_field.items():
            norm = 1 - B + B * lengths[n][name] / average[name]
            frequencies: dict[str, int] = {}
            for term in hits:
                frequencies[term] = frequencies.get(term, 0) + 1
            for term, tf in frequencies.items():
                weighted[term] = weighted.get(term, 0.0) + weights.get(name, 1.0) * tf / norm
        score = 0.0
        matched: list[str] = []
        for term in terms:
            if term in weighted:
                matched.append(term)
                score += idf[term] * weighted[term] / (K1 + weighted[term])
        scored.append(Match(docs[n], round(score, 4), tuple(matched)))
    scored.sort(key=lambda m: -m.score)
    return scored[:limit]
