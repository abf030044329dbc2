"""Tool schemas derived from the public API's own signatures: one definition for both callers.

A tool's arguments are the parameters of the API method it calls, with their type hints and
defaults; its description is that method's docstring; its output schema is the method's return
type where that is a record (`TypedRecord`, described by a pydantic model built from its
annotations) or a plain JSON type. Nothing here is written by hand per
tool, so the API and the tools cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, TypeAdapter, create_model
from pydantic_core import core_schema

from incident_beads.typedrecord import TypedRecord

#: Parameters no tool takes: `actor` is the server's own identity, fixed when it starts, so a
#: caller cannot speak as someone else.
HIDDEN = frozenset({"self", "actor"})

#: The argument every writing tool adds: the same id on a retried call writes nothing twice.
REQUEST_ID = "request_id"
REQUEST_ID_HELP = ("Any unique string for this call (a UUID). Send the same one when retrying "
                   "the call, and nothing is written twice: the first outcome is returned.")


def type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The function's annotations, resolved.

    A module may import the types of some annotations for type checkers only, to load them
    when they are used (the knowledge API does: `resolve` starts faster without phase 0); it
    names them in `LATE_TYPES` (name: `module` or `module:attribute`), imported here.
    """
    late = getattr(sys.modules.get(function.__module__), "LATE_TYPES", {})
    names: dict[str, Any] = {}
    for name, where in late.items():
        module, _, attribute = where.partition(":")
        found = importlib.import_module(module)
        names[name] = getattr(found, attribute) if attribute else found
    return typing.get_type_hints(function, localns=names)


def arguments_model(name: str, functions: Sequence[Callable[..., Any]], *,
                    writes: bool) -> type[BaseModel]:
    """The pydantic model of a tool's arguments: the parameters of `functions`, merged.

    A parameter that only some of the functions take (a tool that picks one of two methods) is
    optional in the merged model.
    """
    found: dict[str, tuple[Any, Any]] = {}
    seen_in: dict[str, int] = {}
    for function in functions:
        hints = type_hints(function)
        for param in inspect.signature(function).parameters.values():
            if param.name in HIDDEN or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            seen_in[param.name] = seen_in.get(param.name, 0) + 1
            default = ... if param.default is param.empty else param.default
            found.setdefault(param.name, (hints[param.name], default))
    fields: dict[str, Any] = {}
    for key, (hint, default) in found.items():
        if default is ... and seen_in[key] < len(functions):
            hint, default = hint | None, None
        fields[key] = (hint, default)
    if writes:
        fields[REQUEST_ID] = (str | None, Field(default=None, description=REQUEST_ID_HELP))
    model: type[BaseModel] = create_model(
        f"{name}_arguments", __config__=ConfigDict(extra="forbid"), **fields)
    return model


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema a client sees, without pydantic's generated title."""
    schema = model.model_json_schema()
    schema.pop("title", None)
    return schema


def description(functions: Sequence[Callable[..., Any]]) -> str:
    """The tool's description: the docstrings of the API methods it calls."""
    return "\n\n".join(inspect.getdoc(f) or f.__name__ for f in functions)


def output_schema(functions: Sequence[Callable[..., Any]],
                  key: str | None) -> dict[str, Any] | None:
    """The schema of the structured result, when every return type describes itself.

    Pydantic models and plain JSON types do; records with their own `to_dict` view (named
    tuples, dataclasses) are returned as that view, without a declared schema. A result that
    is not an object is wrapped as `{key: result}`, as the protocol wants an object.
    """
    returns = [type_hints(f).get("return") for f in functions]
    if not returns or not all(_describable(r) for r in returns):
        return None
    hint: Any = returns[0] if len(returns) == 1 else typing.Union[tuple(returns)]  # noqa: UP007
    schema = TypeAdapter(hint).json_schema(mode="serialization")
    if key is None:
        if schema.get("type") != "object":
            return None
        schema.pop("title", None)
        return schema
    defs = schema.pop("$defs", None)
    wrapped: dict[str, Any] = {"type": "object", "properties": {key: schema}, "required": [key]}
    if defs:
        wrapped["$defs"] = defs
    return wrapped


def _describable(hint: Any) -> bool:
    if hint is None:
        return False
    origin = typing.get_origin(hint)
    if origin is not None:
        return all(_describable(a) for a in typing.get_args(hint) if a is not type(None))
    if isinstance(hint, type) and issubclass(hint, BaseModel | TypedRecord):
        return True
    if isinstance(hint, type) and (dataclasses.is_dataclass(hint) or hasattr(hint, "_fields")
                                   or hasattr(hint, "to_dict")):
        return False
    return hint in (str, int, float, bool, dict, Any)


_MODELS: dict[type[TypedRecord], type[BaseModel]] = {}


def pydantic_model(record: type[TypedRecord]) -> type[BaseModel]:
    """The pydantic model describing a record class: same name, docstring, fields and defaults,
    and the same handling of unknown keys, so its JSON schema is the record's."""
    if record in _MODELS:
        return _MODELS[record]
    fields: dict[str, Any] = {}
    hints = record.record_fields()
    for spec in dataclasses.fields(record):
        hint = hints[spec.name]
        if "schema_default" in spec.metadata:
            fields[spec.name] = (hint, spec.metadata["schema_default"])
        elif spec.default_factory is not dataclasses.MISSING:
            fields[spec.name] = (hint, Field(default_factory=spec.default_factory))
        elif spec.default is not dataclasses.MISSING:
            fields[spec.name] = (hint, spec.default)
        else:
            fields[spec.name] = (hint, ...)
    model: type[BaseModel] = create_model(
        record.__name__, __config__=ConfigDict(extra=record.__record_extra__),
        __doc__=record.__doc__, __module__=record.__module__, **fields)
    _MODELS[record] = model
    return model


def _record_core_schema(source: type[TypedRecord], handler: GetCoreSchemaHandler) -> Any:
    # A record wherever pydantic meets one (an argument, a return type, a field of a
    # dataclass): described and checked by its pydantic model, handed over as the record.
    model = pydantic_model(source)
    inner = handler.generate_schema(model)
    return core_schema.no_info_after_validator_function(
        lambda value: source.model_validate(value.model_dump()), inner,
        serialization=core_schema.plain_serializer_function_ser_schema(
            lambda record: model.model_validate(record.model_dump()), return_schema=inner))


# Pydantic asks a type for its schema through this hook before anything else.
setattr(TypedRecord, "__get_pydantic_core_schema__",  # noqa: B010
        classmethod(lambda cls, source, handler: _record_core_schema(source, handler)))
