"""JSON Schemas of inventory and policy files, generated from the model classes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import types
import typing
from typing import Any

from mkdocs_exdr.common.durations import Duration
from mkdocs_exdr.inventory.model import InventoryFile
from mkdocs_exdr.load.reader import public_fields
from mkdocs_exdr.policies.model import PolicyFile

DURATION_PATTERN = r"^([1-9][0-9]{0,6}[mhdwMHDW]|hourly|daily|weekly)$"
KINDS: dict[str, Any] = {"inventory": InventoryFile, "policy": PolicyFile}


def _type(annotation: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is str:
        return {"type": ["string", "number"]}
    if annotation is float:
        return {"type": "number", "minimum": 0}
    if annotation is int:
        return {"type": "integer"}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is dt.date:
        return {"type": "string", "format": "date"}
    if annotation is Duration:
        return {"type": "string", "pattern": DURATION_PATTERN}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin is list:
        return {"type": ["array", "null"], "items": _type(args[0], defs)}
    if origin in (typing.Union, types.UnionType):
        inner = next(a for a in args if a is not type(None))
        return {"anyOf": [_type(inner, defs), {"type": "null"}]}
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        name = annotation.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = _object(annotation, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no schema for {annotation!r}")  # pragma: no cover


def _object(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    needed: list[str] = []
    for spec, annotation in public_fields(cls):
        prop = _type(annotation, defs)
        meta = spec.metadata
        prop["description"] = meta["doc"]
        if meta.get("example") not in (None, []):
            prop["examples"] = [meta["example"]]
        if meta.get("pattern"):
            prop["pattern"] = meta["pattern"]
        properties[spec.name] = prop
        if meta.get("required"):
            needed.append(spec.name)
    result: dict[str, Any] = {
        "type": "object",
        "description": (cls.__doc__ or "").strip(),
        "properties": properties,
        "additionalProperties": False,
    }
    if needed:
        result["required"] = needed
    return result


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an ``inventory`` or ``policy`` file."""
    defs: dict[str, Any] = {}
    root = _object(KINDS[kind], defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mkdocs-exdr.invalid/schemas/{kind}.schema.json",
        "title": f"mkdocs-exdr {kind} file",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text(kind: str) -> str:
    """The schema as the JSON text that is shipped and printed."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    names = {
        str: "text",
        float: "number",
        int: "whole number",
        bool: "true/false",
        dt.date: "date",
        Duration: "duration",
    }
    if annotation in names:
        return names[annotation]
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin in (typing.Union, types.UnionType):
        return _type_name(next(a for a in args if a is not type(None)))
    return f"[{annotation.__name__}](#{annotation.__name__.lower()})"


def field_reference(kind: str) -> str:
    """Markdown tables of every field of an inventory or policy file, for the README."""
    seen: list[Any] = []

    def visit(cls: Any) -> None:
        if cls in seen:
            return
        seen.append(cls)
        for _, annotation in public_fields(cls):
            for candidate in (annotation, *typing.get_args(annotation)):
                for inner in (candidate, *typing.get_args(candidate)):
                    if (
                        isinstance(inner, type)
                        and dataclasses.is_dataclass(inner)
                        and inner is not Duration
                    ):
                        visit(inner)

    visit(KINDS[kind])
    parts: list[str] = []
    for cls in seen:
        parts.append(f"#### {cls.__name__}\n\n{(cls.__doc__ or '').strip()}\n")
        parts.append(
            "| Key | Type | Required | Meaning | Example |\n| --- | --- | --- | --- | --- |"
        )
        for spec, annotation in public_fields(cls):
            meta = spec.metadata
            example = meta.get("example")
            shown = "" if example in (None, []) else f"`{json.dumps(example, ensure_ascii=False)}`"
            needed = "yes" if meta.get("required") else ""
            text = meta["doc"].replace("|", "\\|")
            parts.append(
                f"| `{spec.name}` | {_type_name(annotation)} | {needed} | {text} | {shown} |"
            )
        parts.append("")
    return "\n".join(parts)
