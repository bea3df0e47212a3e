"""How the model's type annotations are built, taken apart in one place.

The reader compiles a reader from each annotation and the schema writes JSON Schema and the
README's field tables from the same annotations; both ask ``shape_of`` what an annotation is,
so an ``X | None`` or a ``Literal`` is recognised the same way everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from mkdocs_exdr.common.durations import Duration

#: The types a field holds as one YAML scalar. ``Duration`` is a dataclass, but written as text.
SCALARS: tuple[Any, ...] = (str, float, int, bool, dt.date, Duration)


@dataclass(frozen=True)
class Shape:
    """What an annotation is.

    ``scalar``: ``of`` is one of ``SCALARS``; ``choice``: a ``Literal`` of ``choices``; ``list``
    and ``optional``: ``of`` is the annotation inside; ``model``: ``of`` is the dataclass.
    """

    kind: Literal["scalar", "choice", "list", "optional", "model"]
    of: Any = None
    choices: tuple[Any, ...] = ()


def shape_of(annotation: Any) -> Shape:
    """The shape of a type annotation of the model; ``TypeError`` for one the format lacks."""
    if annotation in SCALARS:
        return Shape("scalar", annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return Shape("choice", choices=tuple(args))
    if origin is list:
        return Shape("list", args[0])
    if origin in (typing.Union, types.UnionType):
        return Shape("optional", next(arg for arg in args if arg is not type(None)))
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return Shape("model", annotation)
    raise TypeError(f"no shape for {annotation!r}")  # pragma: no cover - a programming error


def public_fields(cls: Any) -> list[tuple[dataclasses.Field[Any], Any]]:
    """The fields of a model class that appear in YAML, with resolved annotations."""
    hints = typing.get_type_hints(cls)
    return [(f, hints[f.name]) for f in dataclasses.fields(cls) if not f.metadata.get("internal")]


def model_classes(root: Any) -> list[Any]:
    """``root`` and every model class reachable through its fields, once each, in the order a
    depth-first walk of the fields first reaches them."""
    found: list[Any] = []

    def visit(annotation: Any) -> None:
        shape = shape_of(annotation)
        if shape.kind in ("list", "optional"):
            visit(shape.of)
        elif shape.kind == "model" and shape.of not in found:
            found.append(shape.of)
            for _, inner in public_fields(shape.of):
                visit(inner)

    visit(root)
    return found
