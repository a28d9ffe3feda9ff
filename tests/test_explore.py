"""The explorer's JSON holds every project once, with lookups by index, and never a 0 for an undisclosed amount."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.conftest import CONTENT
from tracker.explore import COLUMNS, PATH
from tracker.site import render_tree


def test_explorer_data_has_every_project_and_resolves_its_lookups():
    data, derived, pages = render_tree(CONTENT)
    doc = json.loads(pages[PATH])
    assert doc["columns"] == COLUMNS and doc["as_of"] == data.settings["as_of"].iso()
    col = {c: i for i, c in enumerate(doc["columns"])}
    rows = {row[col["id"]]: row for row in doc["rows"]}
    assert len(rows) == len(data.records)
    for rec in data.records:
        row = rows[rec["id"]]
        assert row[col["title"]] == rec["title"]
        assert doc["lookups"]["country"][row[col["country"]]][0] == rec["location"]["country"]
        assert [doc["lookups"]["segment"][i][0] for i in row[col["segments"]]] == rec["segments"]
        assert doc["lookups"]["status"][row[col["status"]]][0] == rec["status"]["value"]
        disclosed = isinstance(rec["investment"].get("amount"), Decimal)
        u = derived.usd[rec["id"]]
        assert (row[col["usd"]] is None) == (not u.converted)
        if not disclosed:
            assert row[col["amount_text"]] == "n/d" and row[col["usd"]] is None
    assert len(pages[PATH]) < 400 * len(data.records)  # compact: a few hundred bytes a project
