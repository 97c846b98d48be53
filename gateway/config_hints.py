"""Hints for configuration mistakes: the valid keys or values at the place of an error, and
"did you mean" for a near miss.

Pydantic reports where validation failed (``loc``) and why; this module walks the config model
along that location to name what would have been valid there. Only keys and enumerated values
are ever echoed, never an input value that could be a secret.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

_TAG_ERRORS = frozenset({"union_tag_invalid"})
_LITERAL_ERRORS = frozenset({"literal_error", "enum"})


def hint(root: type[BaseModel], error: Mapping[str, Any]) -> str:
    """A sentence to append to a validation error's message ("" when there is nothing to add)."""
    kind = error.get("type")
    loc = tuple(error.get("loc", ()))
    if kind == "extra_forbidden" and loc:
        valid = _keys_at(root, loc[:-1])
        return _suggest(str(loc[-1]), valid, "valid keys here")
    if kind in _TAG_ERRORS:
        ctx = error.get("ctx") or {}
        return _suggest(str(ctx.get("tag", "")), _quoted(str(ctx.get("expected_tags", ""))), "valid values")
    if kind in _LITERAL_ERRORS:
        value = error.get("input")
        if isinstance(value, str):
            ctx = error.get("ctx") or {}
            return _suggest(value, _quoted(str(ctx.get("expected", ""))), "valid values")
    return ""


def _suggest(given: str, valid: list[str], what: str) -> str:
    if not valid:
        return ""
    close = difflib.get_close_matches(given, valid, n=1, cutoff=0.6)
    named = ", ".join(sorted(valid))
    guess = f"; did you mean {close[0]!r}?" if close else ""
    return f" ({what}: {named}{guess})"


def _quoted(text: str) -> list[str]:
    """The values pydantic lists as "'a', 'b' or 'c'"."""
    return [part for i, part in enumerate(text.split("'")) if i % 2 == 1]


def _keys_at(root: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    node: Any = root
    for step in loc:
        node = _step(node, step)
        if node is None:
            return []
    model = _model_of(node)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items() if name != "base_dir"]


def _model_of(node: Any) -> type[BaseModel] | None:
    node = _unwrap(node)
    if isinstance(node, type) and issubclass(node, BaseModel):
        return node
    return None


def _unwrap(node: Any) -> Any:
    """Strip Annotated[...] and Optional (X | None) down to the one type that holds keys."""
    while typing.get_origin(node) is typing.Annotated:
        node = typing.get_args(node)[0]
    if _is_union(node):
        members = [a for a in typing.get_args(node) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return node


def _is_union(node: Any) -> bool:
    return typing.get_origin(node) in (typing.Union, types.UnionType)


def _step(node: Any, step: Any) -> Any:
    node = _unwrap(node)
    model = _model_of(node)
    if model is not None:
        for name, field in model.model_fields.items():
            if step in (name, field.alias):
                return field.annotation
        return None
    origin = typing.get_origin(node)
    if origin in (dict, Mapping) or origin is typing.get_origin(Mapping[str, Any]):
        return typing.get_args(node)[1]
    if origin in (list, tuple):
        return typing.get_args(node)[0]
    if _is_union(node):
        # A discriminated union names the member it chose by its tag (e.g. catalogs.x.files.root).
        for member in typing.get_args(node):
            member_model = _model_of(member)
            if member_model is not None and _tag_of(member_model) == step:
                return member_model
    return None


def _tag_of(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("connector")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return str(args[0]) if args else None
