"""Open data: CSV and JSON downloads, a Frictionless data package and an Atom feed. Pure functions.

Every file is built from the validated dataset only, in sorted order, so output is deterministic.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from . import schema
from .content import Dataset
from .derive import Derived, announced_date, lead_company, to_usd
from .values import PDate, plain_decimal

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}


def _one_of(choices: tuple) -> str:
    """'a, b or c': a column's allowed values, as the field table (tracker.schema) lists them."""
    return ", ".join(choices[:-1]) + " or " + choices[-1]


# (name, type, description[, unit]) per column; the same table writes the CSV and describes it.
PROJECT_FIELDS = [
    ("id", "string", "record id; the page is /projects/<id>/"),
    ("title", "string", "project name"),
    ("status", "string", "status term (see methodology)"),
    ("status_as_of", "string", "when the status was last seen in a source (partial ISO date)"),
    ("country", "string", "ISO 3166-1 alpha-2 code"),
    ("region", "string", "ISO 3166-2 code"),
    ("other_regions", "string", "further ISO 3166-2 codes when the project spans several, separated by ';'"),
    ("city", "string", "city"),
    ("lead_company", "string", "first named investor or operator"),
    ("announced", "string", "first announced or signed (partial ISO date: YYYY, YYYY-MM or YYYY-MM-DD)"),
    ("amount", "number", "headline investment as stated (empty when not disclosed or unknown)"),
    ("amount_high", "number", "upper end of a stated range"),
    ("currency", "string", "ISO 4217 currency of amount"),
    ("qualifier", "string", _one_of(schema.QUALIFIERS)),
    ("amount_status", "string", "disclosed, undisclosed or unknown"),
    ("stated", "string", "date the amount was stated (picks the exchange-rate year)"),
    ("amount_usd", "integer", "amount converted to US dollars at the yearly average rate", "USD"),
    ("usd_rate", "number", "units of currency per US dollar used for the conversion"),
    ("usd_rate_year", "integer", "year of that rate"),
    ("segments", "string", "segment terms, separated by ';'"),
    ("lat", "number", "latitude of the point that locates the project (WGS 84)", "degree"),
    ("lon", "number", "longitude of that point (WGS 84)", "degree"),
    ("location_precision", "string", "what the point marks: site, town or region"),
    ("location_derived", "boolean", "true when the point comes from a gazetteer, not a source"),
]
PHASE_FIELDS = [
    ("project_id", "string", "record id"),
    ("phase_id", "string", "phase id within the record"),
    ("name", "string", "phase name"),
    ("start", "string", "start (partial ISO date)"),
    ("target", "string", "target completion (partial ISO date)"),
    ("amount", "number", "phase investment as stated"),
    ("currency", "string", "ISO 4217 currency"),
    ("qualifier", "string", "exactness of the amount"),
]
EVENT_FIELDS = [
    ("project_id", "string", "record id"),
    ("event_index", "integer", "position of the event in the record"),
    ("date", "string", "partial ISO date at the precision the source gives"),
    ("precision", "string", "day, month, quarter, half or year; undated when the sources give no date"),
    ("date_qualifier", "string", "on, about, by, early, mid, late, after or before"),
    ("type", "string", "event type term"),
    ("planned", "boolean", "true for a planned or targeted milestone"),
    ("overdue", "boolean", "planned, date passed before the as-of date, no outcome recorded"),
    ("phase", "string", "phase id"),
    ("text", "string", "what happened or is planned"),
    ("amount", "number", "amount stated at this event (revisions, funding)"),
    ("currency", "string", "ISO 4217 currency"),
    ("sources", "string", "source ids, separated by ';'"),
]
SOURCE_FIELDS = [
    ("project_id", "string", "record id"),
    ("source_id", "string", "source id within the record"),
    ("publisher", "string", "publisher"),
    ("title", "string", "title"),
    ("url", "string", "address (empty for print or paywalled sources)"),
    ("locator", "string", "where to find a source without an address: edition and page, archive"),
    ("date", "string", "publication date (partial ISO date)"),
]

SUPPORT_FIELDS = [
    ("project_id", "string", "record id"),
    ("kind", "string", _one_of(schema.SUPPORT_KINDS)),
    ("programme", "string", "the programme or law it comes under"),
    ("authority", "string", "who grants it"),
    ("stage", "string", _one_of(schema.SUPPORT_STAGES)),
    ("amount", "number", "as stated (empty when not stated as an amount)"),
    ("currency", "string", "ISO 4217 currency"),
    ("qualifier", "string", "exactness of the amount"),
    ("share_percent", "number", "when given as a share of the project cost", "%"),
    ("stated", "string", "when stated (partial ISO date; picks the exchange-rate year)"),
    ("amount_usd", "integer", "amount in US dollars at the yearly average rate; never added to investment", "USD"),
    ("sources", "string", "source ids, separated by ';'"),
]
CHANGE_FIELDS = [
    ("date", "date", "date of the commit that published the change (UTC)"),
    ("project_id", "string", "record id (now, or when the record was deleted)"),
    ("commit", "string", "git commit that made the change"),
    ("change", "string", "what changed: a field ('Status', 'Investment'), 'Source added', 'Record created'..."),
    ("before", "string", "the value before, in reader terms (empty when something was added)"),
    ("after", "string", "the value after, in reader terms (empty when something was removed)"),
]


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return plain_decimal(v)
    if isinstance(v, PDate):
        return v.iso()
    return str(v)


def _guard(c: str) -> str:
    return "'" + c if c[:1] in ("=", "+", "-", "@") else c


def _csv(fields, rows) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([f[0] for f in fields])
    for row in rows:
        # A leading = + - @ would make spreadsheets run a formula: prefix a quote (OWASP CSV injection). Numbers
        # are numbers (a longitude of -112.2 is not a formula), so only text is guarded.
        w.writerow([_cell(v) if isinstance(v, (Decimal, int)) else _guard(_cell(v)) for v in row])
    # With a byte-order mark: Excel otherwise reads UTF-8 as the local code page and garbles "Bắc Ninh".
    return out.getvalue().encode("utf-8-sig")


def project_rows(data: Dataset, derived: Derived):
    for r in data.records:
        m, u = r["investment"], derived.usd[r["id"]]
        point = r["location"].get("coordinates") or {}
        disclosed = isinstance(m.get("amount"), Decimal)
        yield [r["id"], r["title"], r["status"]["value"], r["status"].get("as_of"), r["location"]["country"],
               r["location"].get("region"), ";".join(r["location"].get("other_regions") or []), r["location"].get("city"),
               lead_company(r), announced_date(r),
               m["amount"] if disclosed else None, m.get("amount_high"), m.get("currency"),
               (m.get("qualifier") or "exact") if disclosed else None, "disclosed" if disclosed else m["amount"],
               m.get("stated"), u.value, u.rate, u.year, ";".join(r["segments"]), point.get("lat"), point.get("lon"),
               point.get("precision"), bool(point.get("derived")) if point else None]


def phase_rows(data: Dataset):
    for r in data.records:
        for p in r.get("phases") or []:
            m = p.get("investment") or {}
            amount = m.get("amount") if isinstance(m.get("amount"), Decimal) else None
            yield [r["id"], p["id"], p["name"], p.get("start"), p.get("target"), amount, m.get("currency"),
                   m.get("qualifier") or ("exact" if amount is not None else None)]


def event_rows(data: Dataset, derived: Derived):
    overdue = {(e.project, e.index) for e in derived.events if e.overdue}
    for r in data.records:
        for i, e in enumerate(r["events"]):
            m = e.get("investment") or {}
            amount = m.get("amount") if isinstance(m.get("amount"), Decimal) else None
            d = e.get("date")
            yield [r["id"], i, d, d.precision if d else "undated", (e.get("date_qualifier") or "on") if d else None, e["type"],
                   bool(e.get("planned")), (r["id"], i) in overdue, e.get("phase"), e["text"], amount,
                   m.get("currency") if amount is not None else None, ";".join(e.get("sources") or [])]


def source_rows(data: Dataset):
    for r in data.records:
        for s in r["sources"]:
            yield [r["id"], s["id"], s["publisher"], s["title"], s.get("url"), s.get("locator"), s.get("date")]


def support_rows(data: Dataset):
    for r in data.records:
        for s in r.get("support") or []:
            amount = s["amount"] if isinstance(s.get("amount"), Decimal) else None
            usd = to_usd(s, r, data.fx)
            yield [r["id"], s["kind"], s["programme"], s["authority"], s["stage"], amount,
                   s.get("currency") if amount is not None else None, (s.get("qualifier") or "exact") if amount else None,
                   s.get("share"), s.get("stated"), usd.value, ";".join(s.get("sources") or [])]


def change_rows(derived: Derived):
    for c in derived.history.changes if derived.history else []:
        yield [c.date.iso(), c.project, c.commit, c.field, c.before, c.after]


def _plain(value):
    """Make a record JSON-ready: Decimals as strings (exact), dates as partial ISO strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (Decimal, PDate)):
        return _cell(value)
    return value


TABLES = {
    "projects": (PROJECT_FIELDS, "One row per project: headline figures."),
    "phases": (PHASE_FIELDS, "One row per phase of a project."),
    "events": (EVENT_FIELDS, "One row per dated event, planned or happened."),
    "sources": (SOURCE_FIELDS, "One row per source cited by a project."),
    "support": (SUPPORT_FIELDS, "One row per public-support entry (grant, loan, tax credit...): kept apart from "
                                "the investment total and never added to it."),
    "changes": (CHANGE_FIELDS, "One row per change to a record, newest first, from the repository's history "
                               "(empty when the build had no history)."),
}


def datapackage(data: Dataset) -> dict:
    resources = []
    for name, (fields, desc) in TABLES.items():
        schema_fields = []
        for f in fields:
            field = {"name": f[0], "type": f[1], "description": f[2]}
            if len(f) > 3:
                field["unit"] = f[3]
            if f[1] == "boolean":
                field["trueValues"], field["falseValues"] = ["true"], ["false"]
            schema_fields.append(field)
        key = ["id"] if name == "projects" else None
        schema = {"fields": schema_fields, **({"primaryKey": key} if key else {})}
        resources.append({"name": name, "path": f"{name}.csv", "format": "csv", "mediatype": "text/csv",
                          "encoding": "utf-8-sig", "description": desc, "schema": schema})
    resources.append({"name": "projects-full", "path": "projects.json", "format": "json",
                      "mediatype": "application/json",
                      "description": "Every validated record in full, amounts as exact decimal strings."})
    return {
        "name": "advanced-packaging-tracker",
        "title": data.settings["title"],
        "description": data.settings["description"],
        "version": data.settings["as_of"].iso(),
        "licenses": [LICENCE],
        "resources": resources,
    }


def projects_json(data: Dataset) -> bytes:
    """The full dataset as JSON, one project per line: readable and diffable, and written by the C
    encoder (json's indent= option falls back to the pure-Python one: seconds at 10,000 projects)."""
    dump = lambda v: json.dumps(v, ensure_ascii=False, separators=(", ", ": "))  # noqa: E731
    projects = ",\n".join("  " + dump(_plain(r)) for r in data.records)
    return (
        f'{{\n "as_of": {dump(data.settings["as_of"].iso())},\n "licence": {dump(data.settings["licence"])},\n'
        f' "projects": [\n{projects}\n ]\n}}\n'
    ).encode()


PATHS = ("data/projects.csv", "data/phases.csv", "data/events.csv", "data/sources.csv", "data/support.csv", "data/changes.csv",
         "data/projects.json", "data/datapackage.json", "data/record.schema.json", "feed.xml", "changes.xml")


def data_files(data: Dataset, derived: Derived, schema_text: str) -> dict[str, bytes]:
    """Return {path in docs tree: bytes} for every download (exactly PATHS)."""
    return {
        "data/projects.csv": _csv(PROJECT_FIELDS, project_rows(data, derived)),
        "data/phases.csv": _csv(PHASE_FIELDS, phase_rows(data)),
        "data/events.csv": _csv(EVENT_FIELDS, event_rows(data, derived)),
        "data/sources.csv": _csv(SOURCE_FIELDS, source_rows(data)),
        "data/support.csv": _csv(SUPPORT_FIELDS, support_rows(data)),
        "data/changes.csv": _csv(CHANGE_FIELDS, change_rows(derived)),
        "data/projects.json": projects_json(data),
        "data/datapackage.json": (json.dumps(datapackage(data), indent=1) + "\n").encode("utf-8"),
        "data/record.schema.json": schema_text.encode("utf-8"),
        "feed.xml": atom_feed(data, derived),
        "changes.xml": changes_feed(data, derived),
    }


def _atom_date(d: PDate) -> str:
    return f"{d.first_iso()}T00:00:00Z"


TAG = "tag:advanced-packaging-tracker,2026:"


def _atom(data: Dataset, name: str, subtitle: str, updated: str, entries) -> bytes:
    """An Atom feed; entries: (id, title, updated, project id, summary)."""
    base = (data.settings.get("site_url") or "").rstrip("/")
    title = data.settings["title"]
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(title)}: {escape(subtitle)}</title>",
           f"<id>{TAG}{name.removesuffix('.xml')}</id>", f"<updated>{updated}</updated>",
           f"<author><name>{escape(title)}</name></author>",
           f'<link rel="self" href={quoteattr(f"{base}/{name}" if base else name)}/>']
    for entry_id, entry_title, entry_updated, project, summary in entries:
        link = f"{base}/projects/{project}/" if base else f"projects/{project}/"
        out += ["<entry>", f"<id>{TAG}{entry_id}</id>", f"<title>{escape(entry_title)}</title>",
                f"<updated>{entry_updated}</updated>", f"<link href={quoteattr(link)}/>",
                f"<summary>{escape(summary)}</summary>", "</entry>"]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


def atom_feed(data: Dataset, derived: Derived, limit: int = 200) -> bytes:
    """Announcements and milestones that happened, newest first; ids stable across builds."""
    titles = {r["id"]: r["title"] for r in data.records}
    labels = {k: v["label"] for k, v in data.vocab["event_types"].items()}
    entries = [(f"{e.project}/event/{e.index}/{e.date.iso()}/{e.type}",
                f"{labels[e.type]}: {titles[e.project]} ({e.date.human()})", _atom_date(e.date), e.project, e.text)
               for e in derived.events if not e.planned][:limit]
    return _atom(data, "feed.xml", "announcements and milestones", _atom_date(data.settings["as_of"]), entries)


def changes_feed(data: Dataset, derived: Derived, limit: int = 200) -> bytes:
    """Changes to the records (tracker.history), one entry per record and commit, newest first. The feed's
    own date is its newest change's, so it does not change while nothing changes."""
    from .history import edits

    titles = {r["id"]: r["title"] for r in data.records}
    rows = edits(derived.history.changes)[:limit] if derived.history else []
    stamp = lambda t: datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    entries = [(f"{e.project}/change/{e.commit}", f"{titles.get(e.project, e.project + ' (deleted)')}: "
                f"{e.changes[0].text}" + (f" and {len(e.changes) - 1} more" if len(e.changes) > 1 else ""),
                stamp(e.time), e.project, "; ".join(c.text for c in e.changes)) for e in rows]
    updated = entries[0][2] if entries else _atom_date(data.settings["as_of"])
    return _atom(data, "changes.xml", "changes to the records", updated, entries)
