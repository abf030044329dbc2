"""`Frozen`: frozen dataclasses sharing their methods, for the settings' sections and other values.

`@dataclass(frozen=True)` compiles six methods for each class (constructor, comparison, hash,
repr and the two guards against assignment) when its module is imported; the settings are read
by every command and by the push hook, and every declaration loads the knowledge modules, so
their frozen values share one of each instead. They stay dataclasses: `dataclasses.fields`,
`replace` and `asdict` work on them as before (`__post_init__` is not called: none has one).
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


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
class Frozen:
    """A frozen dataclass: built by position or keyword, compared and hashed by its fields."""

    if TYPE_CHECKING:
        _fields: ClassVar[tuple[dataclasses.Field[Any], ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
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
        assert isinstance(other, Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        inner = ", ".join(f"{spec.name}={getattr(self, spec.name)!r}" for spec in self._fields)
        return f"{type(self).__qualname__}({inner})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
