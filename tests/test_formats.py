"""The field table, the validator, the record-format page and the JSON Schema cannot drift apart."""

from __future__ import annotations

import html
import json
import re

import jsonschema
import pytest

from tests.conftest import CONTENT, ROOT
from tracker import schema, yamlsafe
from tracker.content import load_content
from tracker.derive import derive
from tracker.formats import SCHEMA_PATH, schema_text
from tracker.render import Renderer


def field_paths(fields, prefix=""):
    for f in fields:
        yield prefix + f.name, f
        t = f.type.item if f.type.kind == "list" else f.type
        if t.kind == "object":
            yield from field_paths(t.fields, prefix + f.name + ("[]." if f.type.kind == "list" else "."))


@pytest.fixture(scope="module")
def data():
    return load_content(CONTENT)


def test_every_field_is_documented_on_the_format_page(data):
    page = Renderer(data, derive(data), ROOT / "templates").render_all()["contributing/record-format.md"]
    for path, f in field_paths(schema.FIELDS):
        assert f"<code>{path}</code>" in page, path
        shown = re.sub(r"`([^`]+)`", r"<code>\1</code>", f.help)  # `name` is shown as code, not backticks
        assert shown in html.unescape(page), path  # (“ ” … are written as character references)


def test_every_field_has_help():
    for path, f in field_paths(schema.FIELDS):
        assert len(f.help) >= 10, path


def test_committed_json_schema_is_current(data):
    assert (ROOT / SCHEMA_PATH).read_text() == schema_text(data.vocab), "run: python build.py formats"


def yaml12(node):
    """What an editor's YAML 1.2 language server sees: plain ints, booleans and nulls typed, the rest text."""
    if node.kind == "map":
        return {k: yaml12(v) for k, v in node.value.items()}
    if node.kind == "seq":
        return [yaml12(v) for v in node.value]
    if node.plain:
        if re.fullmatch(r"-?\d+", node.value):
            return int(node.value)
        if node.value in ("true", "false"):
            return node.value == "true"
        if node.value in ("", "null", "~"):
            return None
    return node.value


def test_json_schema_accepts_every_valid_record(data):
    validator = jsonschema.Draft202012Validator(json.loads(schema_text(data.vocab)))
    for path in sorted((CONTENT / "projects").glob("*.yaml")):
        node, problems = yamlsafe.load(path.read_bytes(), path.name)
        errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(yaml12(node))]
        assert errors == [], f"{path.name}: {errors[:3]}"


def test_json_schema_rejects_what_the_validator_rejects(data):
    validator = jsonschema.Draft202012Validator(json.loads(schema_text(data.vocab)))
    node, _ = yamlsafe.load((CONTENT / "projects" / "anyuan-tianyou-led-packaging.yaml").read_bytes(), "x")
    record = yaml12(node)
    for mutate in (lambda r: r.pop("title"), lambda r: r.__setitem__("titel", "x"),
                   lambda r: r["status"].__setitem__("value", "built"),
                   lambda r: r["location"].__setitem__("country", "China")):
        bad = json.loads(json.dumps(record))
        mutate(bad)
        assert list(validator.iter_errors(bad)), mutate


def test_scaffold_lists_every_field():
    from tracker.scaffold import scaffold_text

    text = scaffold_text("some-plant")
    for path, f in field_paths(schema.FIELDS):
        assert f"# {f.name} (" in text, path
