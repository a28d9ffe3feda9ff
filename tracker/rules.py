"""Rules that span fields of one record, as a table (RULES): each is a small function given the record,
its file's context (for located errors), a locator `at(*keys)`, the file path and the site's as-of date.
One field's own type and shape are checked by tracker.validate from the field table (tracker.schema);
rules across records (unique ids, related ids) are in tracker.content.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

from .errors import LIST_PER_FIELD
from .validate import Context, region_info, suggest
from .values import PDate

RESERVED_IDS = {"index"}  # projects/index.md is the list of all projects


def repeats(values) -> list[tuple[int, str, int]]:
    """(index, value, index of its first occurrence) for every value given before; empty values aside."""
    first: dict = {}
    return [(i, v, first[v]) for i, v in enumerate(values) if v and first.setdefault(v, i) != i]


def check_refs(ctx: Context, known: dict[str, set]) -> None:
    """Every id the file refers to (ctx.refs: sources, phases) names one it defines (known)."""
    unknown: Counter = Counter()
    for kind, value, node, fpath in ctx.refs:
        if value not in known.get(kind, set()):
            unknown[kind] += 1  # past what is listed (errors.cap), a suggestion would only cost time
            close = suggest(value, known.get(kind, ())) if unknown[kind] <= LIST_PER_FIELD else ""
            ctx.error(node, fpath, f"no {kind[:-1]} with id '{value}' in this file",
                      close or f"add it to {kind}, or fix the id")


def id_matches_file(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """The id is the file's name."""
    if rec.get("id") and rec["id"] != path.stem:
        ctx.error(
            at("id"),
            "id",
            f"id '{rec['id']}' does not match the file name '{path.name}'",
            f"rename the file to {rec['id']}.yaml or set id: {path.stem}",
        )


def id_not_reserved(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """The id is not one a page of the site needs."""
    if rec.get("id") in RESERVED_IDS:
        ctx.error(at("id"), "id", f"id '{rec['id']}' is reserved for a page of the site", "choose another id")


def ids_unique_and_references_resolve(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """Source and phase ids are unique, and every reference names one of them."""
    known = {
        "sources": {s["id"] for s in rec.get("sources") or [] if s.get("id")},
        "phases": {p["id"] for p in rec.get("phases") or [] if p.get("id")},
    }
    for kind in known:
        for i, x, _ in repeats(x.get("id") for x in rec.get(kind) or []):
            ctx.error(at(kind, i, "id"), f"{kind}[{i}].id", f"id '{x}' is used twice in {kind}", "make ids unique")
    check_refs(ctx, known)


def sources_cited(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """Every source is cited by something (a warning)."""
    cited = {value for kind, value, *_ in ctx.refs if kind == "sources"}
    for i, s in enumerate(rec.get("sources") or []):
        if s.get("id") and s["id"] not in cited:
            ctx.error(
                at("sources", i, "id"),
                f"sources[{i}]",
                f"source '{s['id']}' is cited by nothing",
                "cite it from the facts it supports, or remove it",
                "warning",
            )


def sources_have_an_address(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """Every source has an address or a locator."""
    for i in range(len(rec.get("sources") or [])):
        given = node_at(ctx.node, ["sources", i])
        (url, no_url), (_, no_locator) = unset(given, "url"), unset(given, "locator")
        if given.kind == "map" and no_url and no_locator:
            ctx.error(url or given, f"sources[{i}].url", "is empty" if url else "a source needs an address or a locator",
                      "add url: https://..., or for print and paywalled sources locator: (edition, page, archive)")


def location_agrees(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """Coordinates have a source or a gazetteer entry; regions are in the country, each listed once."""
    loc = rec.get("location") or {}
    point = loc.get("coordinates")
    if point and not point.get("sources") and not point.get("derived"):
        ctx.error(at("location", "coordinates"), "location.coordinates.sources", "coordinates need a source",
                  "cite a source that gives the point, or write derived: true and the gazetteer entry it comes from")
    if point and point.get("derived") and not point.get("gazetteer") and not point.get("sources"):
        ctx.error(at("location", "coordinates"), "location.coordinates.gazetteer",
                  "derived coordinates need their gazetteer entry", "add e.g. gazetteer: GeoNames 1805953")
    twice = {i for i, *_ in repeats(loc.get("other_regions") or [])}
    for i, code in enumerate(loc.get("other_regions") or []):
        info = region_info(code)
        where = at("location", "other_regions", i)
        if not loc.get("region"):
            ctx.error(where, f"location.other_regions[{i}]", "other regions need a first one in `region`",
                      f"write region: {code} and remove it from other_regions")
        elif code == loc["region"] or i in twice:
            ctx.error(where, f"location.other_regions[{i}]", f"{code} is listed twice", "list each region once")
        elif info and loc.get("country") and info[1] != loc["country"]:
            ctx.error(where, f"location.other_regions[{i}]", f"region {code} ({info[0]}) is not in country {loc['country']}",
                      "a project in two countries needs two records, linked with `related`")
    if loc.get("country") and loc.get("region"):
        info = region_info(loc["region"])
        if info and info[1] != loc["country"]:
            ctx.error(
                at("location", "region"),
                "location.region",
                f"region {loc['region']} ({info[0]}) is not in country {loc['country']}",
                f"use a {loc['country']}- code, or set country: {info[1]}",
            )


def status_has_evidence(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """A known status cites its evidence."""
    status = rec.get("status") or {}
    if status.get("value") and status["value"] != "unknown" and not status.get("sources"):
        hint = "cite the source that shows it"
        if status["value"] == "under-construction":
            hint = "cite a source that reports construction work; a groundbreaking ceremony is not evidence by itself"
        ctx.error(at("status"), "status.sources", f"status '{status['value']}' needs evidence", hint)


def amounts_valid(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """Every amount has a currency, a sane range and no 0; words go without figures."""
    for where, money in moneys(rec):
        _check_money(money, where, ctx)


def phases_within_total(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """Phase investments in the total's currency add up to no more than the total."""
    total = rec.get("investment") or {}
    phases = rec.get("phases") or []
    same = [
        p["investment"]["amount"]
        for p in phases
        if p.get("investment")
        and isinstance(p["investment"].get("amount"), Decimal)
        and p["investment"].get("currency") == total.get("currency")
    ]
    if isinstance(total.get("amount"), Decimal) and same and total.get("qualifier") not in ("at-least", "more-than"):
        ceiling = total.get("amount_high") or total["amount"]
        if sum(same) > ceiling:
            ctx.error(
                at("phases"),
                "phases",
                f"phase investments add up to {sum(same):,} {total['currency']}, more than the total {ceiling:,}",
                "check the amounts, or mark the total 'at-least'",
            )


def moneys(rec):
    """Yield (field path, money mapping) for every amount in a record."""
    if rec.get("investment"):
        yield "investment", rec["investment"]
    for i, p in enumerate(rec.get("phases") or []):
        if p.get("investment"):
            yield f"phases[{i}].investment", p["investment"]
    for i, e in enumerate(rec.get("events") or []):
        if e.get("investment"):
            yield f"events[{i}].investment", e["investment"]
    for i, s in enumerate(rec.get("support") or []):
        yield f"support[{i}]", s


def _check_money(money: dict, where: str, ctx: Context) -> None:
    keys = path_keys(where)
    n = node_at(ctx.node, keys)
    amount = money.get("amount")
    for key in ("amount", "amount_high"):
        if money.get(key) == 0:  # Decimal 0, never the word undisclosed
            ctx.error(node_at(ctx.node, [*keys, key]), f"{where}.{key}", "an amount of 0 says nothing was invested",
                      "when no amount was stated, write amount: undisclosed (or leave the amount out)")
    if isinstance(amount, Decimal):
        if not money.get("currency") and (n.kind != "map" or "currency" not in n.value):  # absent, not invalid
            ctx.error(n, f"{where}.currency", "an amount needs a currency", "add e.g. currency: CNY")
        high = money.get("amount_high")
        if high is not None and high < amount:
            ctx.error(n, f"{where}.amount_high", "the upper end is below the amount", "swap them")
    elif amount in ("undisclosed", "unknown"):
        extra = [k for k in ("currency", "amount_high", "qualifier", "equivalent") if money.get(k)]
        if extra:
            ctx.error(n, f"{where}.{extra[0]}", f"'{extra[0]}' makes no sense with amount '{amount}'", "remove it")


def dated_by_as_of(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """A fact cannot be confirmed, or a source published, after the date the data is current to."""
    if not as_of:
        return
    dated = [("status.as_of", ("status", "as_of"), (rec.get("status") or {}).get("as_of"))]
    dated += [(f"sources[{i}].date", ("sources", i, "date"), s.get("date")) for i, s in enumerate(rec.get("sources") or [])]
    dated += [(f"{where}.stated", (*path_keys(where), "stated"), m.get("stated")) for where, m in moneys(rec)]
    for fpath, keys, d in dated:
        if isinstance(d, PDate) and d.first_day() > as_of.last_day():
            ctx.error(at(*keys), fpath, f"{d} is after the data's as-of date {as_of} (content/site.yaml)",
                      "check the date; if the data is newer, move as_of in content/site.yaml forward")


def dates_in_order(rec: dict, ctx: Context, at, path: Path, as_of: PDate | None) -> None:
    """Phases start in order and end after they start; events have a date (or are undated), happened
    by the as-of date, not before their phase, and not before the same milestone of an earlier phase."""
    phases = {p["id"]: (i, p) for i, p in enumerate(rec.get("phases") or []) if p.get("id")}
    # The latest happened milestone of each type in each phase, so that each event compares with the phases
    # before its own in one step (comparing every pair took quadratic time on a record of thousands of events).
    latest: dict[str, dict[int, tuple]] = {}
    for e in rec.get("events") or []:
        op = phases.get(e.get("phase"))
        if op and e.get("date") and not e.get("planned"):
            mine = latest.setdefault(e.get("type"), {})
            if op[0] not in mine or e["date"].first_day() > mine[op[0]][0]:
                mine[op[0]] = (e["date"].first_day(), op[1]["id"], e["date"])

    def latest_before(kind, index: int):
        return max((v for k, v in latest.get(kind, {}).items() if k < index), default=None, key=lambda v: v[0])

    prev = None
    for i, p in enumerate(rec.get("phases") or []):
        if p.get("start") and p.get("target") and p["target"].last_day() < p["start"].first_day():
            ctx.error(
                at("phases", i, "target"),
                f"phases[{i}].target",
                f"target {p['target']} is before start {p['start']}",
                "check both dates",
            )
        if p.get("start"):
            if prev and p["start"].last_day() < prev[1]["start"].first_day():
                ctx.error(
                    at("phases", i, "start"),
                    f"phases[{i}].start",
                    f"{p.get('name')} starts ({p['start']}) before {prev[1].get('name')} ({prev[1]['start']})",
                    "list phases in order, or check the dates",
                )
            prev = (i, p)
    for i, e in enumerate(rec.get("events") or []):
        d = e.get("date")
        given = at("events", i)
        date, no_date = unset(given, "date")
        if d is None and e.get("undated") is not True and given.kind == "map" and no_date:
            ctx.error(date or given, f"events[{i}].date", "is empty" if date else "an event needs a date",
                      "write the date (YYYY, YYYY-MM or YYYY-MM-DD); for an event no source dates, write undated: true "
                      "and put it where it belongs in the list")
        if d is not None and e.get("undated"):
            ctx.error(at("events", i, "undated"), f"events[{i}].undated", "an event with a date is not undated",
                      "remove undated: true, or the date")
        if d is None:
            continue
        if as_of and not e.get("planned") and d.first_day() > as_of.last_day():
            ctx.error(
                at("events", i, "date"),
                f"events[{i}].date",
                f"happened on {d}, after the as-of date {as_of}",
                "set planned: true for a milestone still to come",
            )
        ph = phases.get(e.get("phase"))
        if ph and ph[1].get("start") and not e.get("planned") and d.last_day() < ph[1]["start"].first_day():
            ctx.error(
                at("events", i, "date"),
                f"events[{i}].date",
                f"dated {d}, before its phase '{ph[1]['id']}' starts ({ph[1]['start']})",
                "check the event's date or its phase",
            )
        # A happened milestone of a later phase cannot precede the same milestone of an earlier phase.
        other = ph and not e.get("planned") and latest_before(e.get("type"), ph[0])
        if other and other[0] > d.last_day():
            ctx.error(at("events", i, "date"), f"events[{i}].date", f"{e['type']} of '{ph[1]['id']}' ({d}) is before "
                      f"{e['type']} of earlier phase '{other[1]}' ({other[2]})", "check the dates or the phases")


def unset(parent, key: str):
    """(node of parent[key] or None, whether it is absent or empty): an optional field left empty is not an
    error by itself, but where another field depends on it, empty counts as missing (an invalid value has an
    error of its own)."""
    n = parent.get(key) if parent.kind == "map" else None
    return n, n is None or (n.kind == "str" and not n.value.strip())


def path_keys(where: str) -> list:
    keys: list = []
    for part in where.split("."):
        if "[" in part:
            name, idx = part[:-1].split("[")
            keys += [name, int(idx)]
        else:
            keys.append(part)
    return keys


def node_at(node, keys):
    """Return the deepest node along keys (for locating a message), stopping where the path ends."""
    for k in keys:
        nxt = None
        if node.kind == "map" and isinstance(k, str):
            nxt = node.value.get(k)
        elif node.kind == "seq" and isinstance(k, int) and k < len(node.value):
            nxt = node.value[k]
        if nxt is None:
            break
        node = nxt
    return node


RULES = (
    id_matches_file,
    id_not_reserved,
    ids_unique_and_references_resolve,
    sources_cited,
    sources_have_an_address,
    location_agrees,
    status_has_evidence,
    amounts_valid,
    dated_by_as_of,
    phases_within_total,
    dates_in_order,
)


def check_record(rec: dict, path: Path, ctx: Context, as_of: PDate | None) -> None:
    """Apply every rule of RULES to one converted record."""
    at = lambda *keys: node_at(ctx.node, keys)  # noqa: E731
    for rule in RULES:
        rule(rec, ctx, at, path, as_of)
