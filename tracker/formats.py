"""The JSON Schema for records, generated from the field table (for editors and for the published site)."""

from __future__ import annotations

import json
from pathlib import Path

from . import schema, values
from .schema import T
from .validate import SLUG

SCHEMA_PATH = Path("schema") / "record.schema.json"
# The editor's patterns are the validator's own regular expressions (tracker.values, tracker.validate),
# so the two cannot drift apart; the validator still checks what a pattern cannot (month 13, leap days).
DATE_PATTERN = values.DATE.pattern
NUMBER_PATTERN = values.NUMBER.pattern.removesuffix("$") + f"( ({'|'.join(values.MULTIPLIERS)}))?$"


def json_type(t: T, vocab: dict) -> dict:
    """Return the JSON Schema for one value type."""
    k = t.kind
    if k == "object":
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [f.name for f in t.fields if f.required],
            "properties": {
                f.name: {**json_type(f.type, vocab), "description": f.help} for f in t.fields
            },
        }
    if k == "list":
        return {"type": "array", "items": json_type(t.item, vocab)}
    if k == "term":
        return {"type": "string", "enum": sorted(vocab.get(t.arg, {}))}
    if k == "choice":
        return {"type": "string", "enum": list(t.arg)}
    if k == "date":
        return {"type": ["string", "integer"], "pattern": DATE_PATTERN}
    if k in ("amount", "money_amount"):
        extra = [{"enum": ["undisclosed", "unknown"]}] if k == "money_amount" else []
        return {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": NUMBER_PATTERN}, *extra]}
    if k == "bool":
        return {"type": "boolean"}
    if k == "flags":
        return {"anyOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string"}}]}
    if k == "slug":
        return {"type": "string", "pattern": SLUG.pattern}
    if k == "country":
        return {"type": "string", "pattern": "^[A-Z]{2}$"}
    if k == "region":
        return {"type": "string", "pattern": r"^[A-Z]{2}-[A-Z0-9]{1,3}$"}
    if k == "currency":
        return {"type": "string", "pattern": "^[A-Z]{3}$"}
    if k == "url":
        return {"type": "string", "pattern": "^https?://"}
    if k == "year":
        return {"type": "integer"}
    if k == "coordinate":
        return {"anyOf": [{"type": "number", "minimum": -t.arg, "maximum": t.arg},
                          {"type": "string", "pattern": r"^-?\d{1,3}(\.\d{1,7})?$"}]}
    return {"type": "string"}  # text, markdown, ref


def record_schema(vocab: dict) -> dict:
    body = json_type(schema.FIELDS_TYPE, vocab)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "record.schema.json",
        "title": "Advanced-packaging tracker project record",
        "description": "Generated from tracker/schema.py by `python build.py formats`; do not edit.",
        **body,
    }


def schema_text(vocab: dict) -> str:
    return json.dumps(record_schema(vocab), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_formats(root: Path, content: Path) -> list[Path]:
    """Write the JSON Schema into the repository (schema/record.schema.json)."""
    from .content import load_content

    data = load_content(content)
    path = root / SCHEMA_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(data.vocab), encoding="utf-8")
    return [path]
