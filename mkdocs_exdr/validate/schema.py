"""JSON Schemas of inventory and policy files, generated from the model classes.

Fields that name a role, a backup item or a finding code list the known ids as an ``enum``, so an
editor flags ``roles: [cas]``. The shipped schemas know the built-in policies; user policies may
add roles and items, so ``mkdocs-exdr schema`` run in a project adds that project's ids.

JSON has no dates: a date is a string in the format ``date``. A YAML loader turns an unquoted
``2026-10-14`` into a date object, which a Python validator sees as no string; ``json_ready``
gives the document as JSON would carry it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from mkdocs_exdr.common.durations import SCHEMA_PATTERN, Duration
from mkdocs_exdr.inventory.model import InventoryFile
from mkdocs_exdr.load.annotations import model_classes, public_fields, shape_of
from mkdocs_exdr.policies.catalog import Catalog, load_catalog
from mkdocs_exdr.policies.model import PolicyFile
from mkdocs_exdr.validate.inventory import vocabularies

KINDS: dict[str, Any] = {"inventory": InventoryFile, "policy": PolicyFile}


_SCALAR_SCHEMAS: dict[Any, dict[str, Any]] = {
    str: {"type": ["string", "number"]},
    float: {"type": "number", "minimum": 0},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    dt.date: {"type": "string", "format": "date"},
    Duration: {"type": "string", "pattern": SCHEMA_PATTERN},
}


def _type(annotation: Any, defs: dict[str, Any], vocab: dict[str, list[str]]) -> dict[str, Any]:
    shape = shape_of(annotation)
    if shape.kind == "scalar":
        return dict(_SCALAR_SCHEMAS[shape.of])
    if shape.kind == "choice":
        return {"enum": list(shape.choices)}
    if shape.kind == "list":
        return {"type": ["array", "null"], "items": _type(shape.of, defs, vocab)}
    if shape.kind == "optional":
        return {"anyOf": [_type(shape.of, defs, vocab), {"type": "null"}]}
    name = shape.of.__name__
    if name not in defs:
        defs[name] = {}
        defs[name] = _object(shape.of, defs, vocab)
    return {"$ref": f"#/$defs/{name}"}


def _known(prop: dict[str, Any], words: list[str]) -> None:
    """Restrict the text in ``prop`` (itself, its items or its non-null choice) to ``words``."""
    if "items" in prop:
        _known(prop["items"], words)
    elif "anyOf" in prop:
        for choice in prop["anyOf"]:
            if choice.get("type") != "null":
                _known(choice, words)
    else:
        prop["type"] = "string"
        prop["enum"] = list(words)


def _object(cls: Any, defs: dict[str, Any], vocab: dict[str, list[str]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    needed: list[str] = []
    for spec, annotation in public_fields(cls):
        prop = _type(annotation, defs, vocab)
        meta = spec.metadata
        if meta.get("vocab") in vocab:
            _known(prop, vocab[meta["vocab"]])
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


def json_schema(kind: str, catalog: Catalog | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an ``inventory`` or ``policy`` file; the ids it
    lists come from ``catalog`` (default: the built-in policies)."""
    defs: dict[str, Any] = {}
    root = _object(KINDS[kind], defs, vocabularies(catalog or load_catalog()))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://mkdocs-exdr.invalid/schemas/{kind}.schema.json",
        "title": f"mkdocs-exdr {kind} file",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def schema_text(kind: str, catalog: Catalog | None = None) -> str:
    """The schema as the JSON text that is shipped and printed."""
    return json.dumps(json_schema(kind, catalog), indent=2, ensure_ascii=False) + "\n"


def json_ready(document: Any) -> Any:
    """A document from a YAML loader as JSON carries it: dates (and times) as ISO text."""
    if isinstance(document, dict):
        return {key: json_ready(value) for key, value in document.items()}
    if isinstance(document, list):
        return [json_ready(value) for value in document]
    if isinstance(document, dt.date):  # datetime is a date too
        return document.isoformat()
    return document


_SCALAR_NAMES = {
    str: "text",
    float: "number",
    int: "whole number",
    bool: "true/false",
    dt.date: "date",
    Duration: "duration",
}


def _type_name(annotation: Any) -> str:
    shape = shape_of(annotation)
    if shape.kind == "scalar":
        return _SCALAR_NAMES[shape.of]
    if shape.kind == "choice":
        return " \\| ".join(f"`{a}`" for a in shape.choices)
    if shape.kind == "list":
        return f"list of {_type_name(shape.of)}"
    if shape.kind == "optional":
        return _type_name(shape.of)
    return f"[{shape.of.__name__}](#{shape.of.__name__.lower()})"


def field_reference(kind: str) -> str:
    """Markdown tables of every field of an inventory or policy file, for the README."""
    parts: list[str] = []
    for cls in model_classes(KINDS[kind]):
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
