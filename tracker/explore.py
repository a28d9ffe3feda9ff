"""The explorer's data: every project in one compact JSON file that a small first-party script filters,
counts and sorts in the reader's browser (templates/explore.md, docs/assets/tracker.js).

Repeated values (countries, regions, statuses, segments, companies) are written once in lookup lists
and referred to by position, so the file stays small (its size at scale is in PERFORMANCE.md).
"""

from __future__ import annotations

import json

from .content import Dataset
from .derive import Derived, announced_date, lead_company
from .places import region_label
from .validate import country_name

PATH = "explore/projects.json"
COLUMNS = ["id", "title", "country", "region", "status", "segments", "company", "date", "date_text", "usd",
           "approximate", "amount_text", "usd_text"]


def explore_json(data: Dataset, derived: Derived, money_text, date_text, usd_text, significant) -> bytes:
    """{columns, lookups, rows}; each row follows COLUMNS, lookups by index (-1: none)."""
    lookups: dict[str, dict[str, int]] = {k: {} for k in ("country", "region", "status", "segment", "company")}
    labels: dict[str, list] = {k: [] for k in lookups}

    def index(kind: str, key: str | None, label: str | None = None) -> int:
        if not key:
            return -1
        table = lookups[kind]
        if key not in table:
            table[key] = len(table)
            labels[kind].append([key, label or key])
        return table[key]

    rows = []
    for r in data.records:
        loc, u, d = r["location"], derived.usd[r["id"]], announced_date(r)
        rows.append([
            r["id"], r["title"],
            index("country", loc["country"], country_name(loc["country"])),
            index("region", loc.get("region"), region_label(loc["region"]) if loc.get("region") else None),
            index("status", r["status"]["value"], data.vocab["statuses"][r["status"]["value"]]["label"]),
            [index("segment", s, data.vocab["segments"][s]["label"]) for s in r["segments"]],
            index("company", lead_company(r)),
            d.first_iso() if d else "",
            date_text(d) if d else "",
            float(significant(u.value)) if u.converted else None,
            1 if u.approximate else 0,
            money_text(r["investment"]) if u.converted or u.reason.startswith("no ") else "n/d",
            usd_text(u) if u.converted and r["investment"].get("currency") != "USD" else "",
        ])
    out = {"as_of": data.settings["as_of"].iso(), "columns": COLUMNS, "lookups": labels, "rows": rows}
    return (json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
