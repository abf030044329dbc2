"""The tool's hashes give hashlib's digests, with or without CPython's own hash modules."""

from __future__ import annotations

import builtins
import hashlib
import importlib
from typing import Any

import pytest

from incident_beads import digests

DATA = [b"", b"bench-1a2", "incident \u00e9\U0001f525".encode(), bytes(range(256)) * 300]


@pytest.mark.parametrize("data", DATA)
def test_the_digests_are_hashlibs(data: bytes) -> None:
    assert digests.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert (digests.blake2b(memoryview(data), digest_size=16).hexdigest()
            == hashlib.blake2b(data, digest_size=16).hexdigest())
    fed = digests.new("sha256", b"blob %d\0" % len(data))
    fed.update(data)
    assert fed.digest() == hashlib.sha256(b"blob %d\0" % len(data) + data).digest()


def test_without_cpythons_own_modules_hashlib_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    real = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name in ("_sha1", "_sha2", "_sha256", "_blake2"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", lambda name: refuse(name))
    assert digests.sha1(b"x").hexdigest() == hashlib.sha1(b"x").hexdigest()
    assert digests.new("md5", b"x").hexdigest() == hashlib.md5(b"x").hexdigest()
