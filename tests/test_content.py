"""The bundled content: valid, fully cited, totals that add up, and pages that show what a reader needs."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from tests.conftest import CONTENT
from tracker.content import load_content
from tracker.derive import derive


@pytest.fixture(scope="module")
def data():
    return load_content(CONTENT)


@pytest.fixture(scope="module")
def built(bundled_site):
    return bundled_site


def test_no_warnings(data):
    assert [str(w) for w in [*data.warnings, *derive(data).warnings] if w.severity == "warning"] == []


def cited_ids(value, out):
    if isinstance(value, dict):
        out.update(value.get("sources") or [])
        for k, v in value.items():
            if k != "sources":
                cited_ids(v, out)
    elif isinstance(value, list):
        for v in value:
            cited_ids(v, out)
    return out


def test_every_source_cited_and_every_citation_listed(data):
    for rec in data.records:
        listed = {s["id"] for s in rec["sources"]}
        cited = cited_ids({k: v for k, v in rec.items() if k != "sources"}, set())
        assert cited == listed, rec["id"]


def test_every_fact_and_event_cites_a_source(data):
    for rec in data.records:
        status = [rec["status"]] if rec["status"]["value"] != "unknown" else []  # unknown needs no evidence
        for item in [*rec["events"], *(rec.get("facts") or []), *status, rec["location"], *rec["parties"]]:
            assert item.get("sources"), (rec["id"], item)
        if isinstance(rec["investment"]["amount"], Decimal):
            assert rec["investment"].get("sources"), rec["id"]


def test_same_plant_records_say_how_they_relate(data):
    """Two records with the same company in the same region must be linked with `related`."""
    by_key = defaultdict(list)
    for rec in data.records:
        companies = {p["name"] for p in rec["parties"] if p["role"] in ("investor", "operator") and not p.get("unknown")}
        for c in companies:
            by_key[(c, rec["location"].get("region"), rec["location"].get("city"))].append(rec)
    for key, recs in by_key.items():
        if len(recs) > 1 and all(r["location"].get("site") for r in recs):
            sites = {r["location"]["site"] for r in recs}
            if len(sites) < len(recs):  # same site named twice
                for r in recs:
                    linked = {x["id"] for x in r.get("related") or []}
                    assert linked & {o["id"] for o in recs if o is not r}, (key, r["id"])


def test_ase_rename_is_linked(data):
    ids = {r["id"]: r for r in data.records}
    k13 = ids["ase-k13-k18-nanzih"]
    assert any(e["type"] == "renamed" for e in k13["events"])


def test_summary_totals_recomputed_independently(data):
    """Per currency as stated, and in USD at the yearly rate of the year stated, from the raw records."""
    derived = derive(data)
    rates = {(r["currency"], r["year"]): r["rate"] for r in data.fx["rates"].values()}
    per_currency, usd, undisclosed = defaultdict(Decimal), Decimal(0), 0
    for rec in data.records:
        m = rec["investment"]
        if not isinstance(m["amount"], Decimal):
            undisclosed += 1
            continue
        per_currency[m["currency"]] += m["amount"]
        when = m.get("stated") or min(e["date"] for e in rec["events"] if not e.get("planned"))
        if m["currency"] == "USD":
            usd += m["amount"]
        elif (m["currency"], when.year) in rates:
            usd += (m["amount"] / rates[(m["currency"], when.year)]).quantize(Decimal(1))
    assert derived.total.by_currency == dict(per_currency)
    assert derived.total.usd == usd
    assert derived.total.undisclosed == undisclosed
    for kind in ("country", "status"):
        assert sum(g.usd for g in derived.by[kind]) == usd
        assert sum(len(g.projects) for g in derived.by[kind]) == len(data.records)


def test_every_project_page_shows_amount_date_place_and_first_source(data, built):
    from tracker.render import date_text, money_text
    from tracker.validate import country_name

    for rec in data.records:
        page = html.unescape((built / "projects" / rec["id"] / "index.html").read_text())
        text = re.sub(r"<[^>]+>", "", page)
        assert money_text(rec["investment"]) in text, rec["id"]
        first = min((e for e in rec["events"] if not e.get("planned") and e.get("date")), key=lambda e: e["date"].first_day(),
                    default=None)
        if first:
            assert date_text(first["date"]) in text, rec["id"]
        assert country_name(rec["location"]["country"]) in text, rec["id"]
        assert (rec["sources"][0].get("url") or rec["sources"][0]["locator"]) in page, rec["id"]


def test_records_keep_where_they_came_from_beside_their_fields_not_in_them(data):
    """A record is a Record: its fields as a mapping, and its file and the positions of the fields later
    messages point at as attributes. No key is injected into the data (downloads and pages read it as is)."""
    from tracker.content import Record

    def keys(value):
        if isinstance(value, dict):
            for k, v in value.items():
                yield k
                yield from keys(v)
        elif isinstance(value, list):
            for v in value:
                yield from keys(v)

    for rec in data.records:
        assert isinstance(rec, Record) and rec.path == f"content/projects/{rec['id']}.yaml"
        assert not [k for k in keys(rec) if k.startswith("_")]
        lines = (CONTENT / "projects" / f"{rec['id']}.yaml").read_text(encoding="utf-8").splitlines()
        line, col = rec.at("id")
        assert lines[line - 1][col - 1:].startswith(rec["id"])
        line, col = rec.at("status.as_of")
        assert lines[line - 1][col - 1:].startswith(str(rec["status"]["as_of"]))
        for where in rec.places:
            if where.endswith("investment"):  # the amount mapping: the position of its first key
                line, col = rec.at(where)
                assert lines[line - 1][col - 1:].startswith(("amount:", "currency:")), (rec.path, where)
