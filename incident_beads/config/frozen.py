"""`Frozen` and `Plain`: dataclasses sharing their methods, for the settings' sections and values.

`@dataclass(frozen=True)` compiles six methods for each class (constructor, comparison, hash,
repr and the two guards against assignment) when its module is imported; the settings are read
by every command and by the push hook, and every declaration loads the knowledge modules, so
their frozen values share one of each instead. They stay dataclasses: `dataclasses.fields`,
`replace` and `asdict` work on them as before (`__post_init__` is not called: none has one).
`Plain` is the same without the freezing, for values a command fills in or changes (messages in
the outbox, a runbook issue read back).
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, FrozenInstanceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, dataclass_transform
else:  # the decorator only informs type checkers; `typing` stays off the hook's path

    def dataclass_transform(**_: object) -> object:
        return lambda cls: cls


class _Shared:
    """A dataclass built by position or keyword and compared by its fields, one method each
    for every class."""

    if TYPE_CHECKING:
        _fields: ClassVar[tuple[dataclasses.Field[Any], ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if _Shared in cls.__bases__:
            return  # `Frozen` and `Plain` themselves: bases without fields
        dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
        cls._fields = dataclasses.fields(cls)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        name = type(self).__name__
        if len(args) > len(fields):
            raise TypeError(f"{name}() takes {len(fields)} positional arguments, "
                            f"{len(args)} given")
        for spec, value in zip(fields, args, strict=False):  # fewer arguments than fields
            if spec.name in kwargs:
                raise TypeError(f"{name}() got multiple values for argument {spec.name!r}")
            object.__setattr__(self, spec.name, value)
        for spec in fields[len(args):]:
            if spec.name in kwargs:
                value = kwargs.pop(spec.name)
            elif spec.default is not MISSING:
                value = spec.default
            elif spec.default_factory is not MISSING:
                value = spec.default_factory()
            else:
                raise TypeError(f"{name}() missing required argument {spec.name!r}")
            object.__setattr__(self, spec.name, value)
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument {min(kwargs)!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, spec.name) for spec in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, _Shared)
        return self._values() == other._values()

    def __repr__(self) -> str:
        inner = ", ".join(f"{spec.name}={getattr(self, spec.name)!r}" for spec in self._fields)
        return f"{type(self).__qualname__}({inner})"


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
class Frozen(_Shared):
    """A frozen dataclass: built by position or keyword, compared and hashed by its fields."""

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(field_specifiers=(dataclasses.field,))
class Plain(_Shared):
    """A dataclass whose fields can change: built by position or keyword, compared by its
    fields, not hashable."""

    __hash__ = None  # type: ignore[assignment]
