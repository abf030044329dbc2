"""SHA-1, SHA-256 and BLAKE2b from CPython's own hash modules rather than OpenSSL's.

Importing `hashlib` loads OpenSSL's libcrypto, about 2 ms that every write command paid for a
few short hashes: the journal's paths and blob ids, request keys, message ids, new ids. CPython
ships its own implementations of these (the ones `hashlib` falls back to) and they give the same
digests; a Python built without them gets `hashlib`'s.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

Data = bytes | bytearray | memoryview

#: Where CPython keeps its own implementation of each hash (3.12 merged SHA-256 into `_sha2`).
_BUILTIN = {"sha1": (("_sha1", "sha1"),),
            "sha256": (("_sha256", "sha256"), ("_sha2", "sha256")),
            "blake2b": (("_blake2", "blake2b"),)}


class Hash(Protocol):
    """What the tool uses of a hash object."""

    def update(self, data: Data, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


def new(name: str, data: Data = b"", **params: Any) -> Hash:
    """A `name` hash object fed `data` (`params`: BLAKE2b's `digest_size`)."""
    for module, attribute in _BUILTIN.get(name, ()):
        try:
            constructor = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError):
            continue
        found: Hash = constructor(data, **params)
        return found
    import hashlib

    return hashlib.new(name, data, **params)


def sha1(data: Data) -> Hash:
    """SHA-1 of `data` (git's object ids)."""
    return new("sha1", data)


def sha256(data: Data) -> Hash:
    """SHA-256 of `data`."""
    return new("sha256", data)


def blake2b(data: Data, *, digest_size: int = 64) -> Hash:
    """BLAKE2b of `data`, `digest_size` bytes long."""
    return new("blake2b", data, digest_size=digest_size)
