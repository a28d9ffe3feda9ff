"""Open data as its users' tools read it: frictionless validates the package, feedparser reads the feed."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import feedparser
import pytest
from frictionless import Package

from tests.conftest import CONTENT
from tracker import site as site_mod
from tracker.content import load_content
from tracker.derive import derive, to_usd


@pytest.fixture(scope="module")
def built(bundled_site):
    return bundled_site


def test_data_package_is_valid(built):
    report = Package(str(built / "data" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_csv_matches_the_records(built):
    data = load_content(CONTENT)
    raw = (built / "data/projects.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so that Excel reads UTF-8 ("B\u1eafc Ninh")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [r["id"] for r in data.records]
    for row, rec in zip(rows, data.records, strict=True):
        m = rec["investment"]
        if isinstance(m["amount"], Decimal):
            assert Decimal(row["amount"]) == m["amount"] and row["currency"] == m["currency"]
            assert row["amount_status"] == "disclosed"
        else:
            assert row["amount"] == "" and row["amount_status"] == m["amount"]  # never zero
        usd = to_usd(m, rec, data.fx)
        assert row["amount_usd"] == ("" if usd.value is None else str(usd.value))
    events = list(csv.DictReader(io.StringIO((built / "data/events.csv").read_text("utf-8-sig"))))
    assert len(events) == sum(len(r["events"]) for r in data.records)


def test_full_json_keeps_exact_amounts(built):
    full = json.loads((built / "data/projects.json").read_text())
    seed = next(p for p in full["projects"] if p["id"] == "anyuan-tianyou-led-packaging")
    assert seed["investment"]["amount"] == "800000000" and seed["investment"]["currency"] == "CNY"
    assert all("_path" not in p for p in full["projects"])


def test_feed_parses_and_matches_the_data(built):
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    data = load_content(CONTENT)
    derived = derive(data)
    happened = [e for e in derived.events if not e.planned]
    assert len(feed.entries) == min(200, len(happened))
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)  # stable, unique ids
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)  # newest first
    first = happened[0]
    assert feed.entries[0].link.endswith(f"projects/{first.project}/")


def test_feed_ids_are_stable_across_builds(built, tmp_path):
    other = tmp_path / "site"
    site_mod.build(CONTENT, other)
    assert (other / "feed.xml").read_bytes() == (built / "feed.xml").read_bytes()


def test_csv_cells_cannot_become_formulas(content, tmp_path):
    from tests.test_validate import MINIMAL, write

    write(content, "formula-plant", MINIMAL.format(id="formula-plant").replace("title: A plant", 'title: "=HYPERLINK(1)"'))
    site = tmp_path / "site"
    site_mod.build(content, site)
    text = (site / "data/projects.csv").read_text()
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_browse_pages_for_every_group(built):
    data = load_content(CONTENT)
    derived = derive(data)
    for kind in ("country", "region", "company", "segment", "status"):
        for g in derived.by[kind]:
            page = built / "browse" / kind / derived.slugs[(kind, g.key)] / "index.html"
            assert page.is_file(), page
            html = page.read_text()
            for rid in g.projects:
                assert f'href="../../../projects/{rid}/"' in html
