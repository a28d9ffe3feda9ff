"""`build.py new <id>`: write a new record with every field of the field table, commented."""

from __future__ import annotations

from pathlib import Path

from . import schema
from .errors import TrackerError
from .schema import Field
from .validate import SLUG, WINDOWS_RESERVED


def _lines(fields: tuple[Field, ...], indent: str, commented: bool) -> list[str]:
    out = []
    for f in fields:
        off = commented or not (f.required or f.usual)
        pre = f"{indent}# " if off else indent
        req = "required" if f.required else "usually needed" if f.usual else "optional"
        example = f" (e.g. {f.example})" if f.example and not off else ""
        out.append(f"{indent}# {f.name} ({req}, {f.type.describe()}): {f.help}{example}")
        t = f.type
        if t.kind == "object":
            out.append(f"{pre}{f.name}:")
            out += _lines(t.fields, indent + "  ", off)
        elif t.kind == "list" and t.item.kind == "object":
            out.append(f"{pre}{f.name}:")
            item = _lines(t.item.fields, indent + "    ", off)
            # item[1] is the first field's value line: it opens the (first) list item.
            item[1] = (indent + ("  # - " if off else "  - ")) + item[1][len(indent) + (6 if off else 4) :]
            out += item
        elif off:  # an optional field: commented out, with its example to copy
            out.append(f"{pre}{f.name}: {f.example or ''}".rstrip())
        else:  # a required field: left empty, so that `check` names it until a fact from a source is written in
            out.append(f"{pre}{f.name}:{' []' if t.kind == 'list' else ''}")
    return out


def scaffold_text(rid: str) -> str:
    head = [
        "# yaml-language-server: $schema=../../schema/record.schema.json",
        "# New record. Required fields are empty: fill each with a fact from your sources (the comment above it",
        "# gives an example). Optional fields are commented out: uncomment the ones you need.",
        "# Then run `make check` (or python build.py check): it names every field still to fill.",
    ]
    body = _lines(schema.FIELDS, "", False)
    body = [f"id: {rid}" if line == "id:" else line for line in body]
    return "\n".join(head + body) + "\n"


def new_record(content: Path, rid: str) -> Path:
    """Create content/projects/<rid>.yaml; refuse bad ids and existing files."""
    from .rules import RESERVED_IDS

    if not SLUG.match(rid) or rid in WINDOWS_RESERVED or len(rid) > 80:
        raise TrackerError(f"'{rid}' is not a valid id: use lowercase letters, digits and single hyphens")
    if rid in RESERVED_IDS:
        raise TrackerError(f"'{rid}' is reserved for a page of the site: choose another id")
    path = content / "projects" / f"{rid}.yaml"
    if path.exists():
        raise TrackerError(f"{path} already exists; edit it instead")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scaffold_text(rid), encoding="utf-8")
    return path
