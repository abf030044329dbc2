"""`NamedTuple` for the hook path without importing `typing`.

`typing` (with `re`, which it pulls in) is a fair share of what a push pays for starting the
guard. Type checkers see `typing.NamedTuple`; at run time this builds the same thing from
`collections.namedtuple`: fields from the class annotations, defaults from the class body,
methods and properties kept.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:

    class _RecordMeta(type):
        def __new__(mcs, name, bases, namespace):
            if not bases:
                return super().__new__(mcs, name, bases, namespace)
            fields = list(namespace.get("__annotations__", {}))
            defaults = [namespace[f] for f in fields if f in namespace]
            base = namedtuple(name, fields, defaults=defaults, module=namespace["__module__"])
            body = {k: v for k, v in namespace.items() if k not in fields}
            body["__slots__"] = ()
            return type(name, (base,), body)

    class NamedTuple(metaclass=_RecordMeta):
        """Base class of a record: annotate fields, add methods."""
