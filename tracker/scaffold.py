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
        off = commented or not f.required
        pre = f"{indent}# " if off else indent
        req = "required" if f.required else "optional"
        out.append(f"{indent}# {f.name} ({req}, {f.type.describe()}): {f.help}")
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
        else:
            value = f.example or ('""' if t.kind in ("text", "markdown") else "")
            out.append(f"{pre}{f.name}: {value}".rstrip())
    return out


def scaffold_text(rid: str) -> str:
    head = [
        "# yaml-language-server: $schema=../../schema/record.schema.json",
        "# New record. Required fields are filled with examples: replace them with facts from your sources.",
        "# Optional fields are commented out: uncomment the ones you need. Then run: python build.py check",
    ]
    body = _lines(schema.FIELDS, "", False)
    body = [f"id: {rid}" if line.startswith("id: ") else line for line in body]
    return "\n".join(head + body) + "\n"


def new_record(content: Path, rid: str) -> Path:
    """Create content/projects/<rid>.yaml; refuse bad ids and existing files."""
    if not SLUG.match(rid) or rid in WINDOWS_RESERVED or len(rid) > 80:
        raise TrackerError(f"'{rid}' is not a valid id: use lowercase letters, digits and single hyphens")
    path = content / "projects" / f"{rid}.yaml"
    if path.exists():
        raise TrackerError(f"{path} already exists; edit it instead")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scaffold_text(rid), encoding="utf-8")
    return path
