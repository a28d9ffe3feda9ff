"""Stage 3: derived values — USD conversions, the timeline, summaries and related projects. Pure functions."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from .content import ANNOUNCING, Dataset
from .errors import Problem
from .history import History
from .rules import moneys
from .values import PDate


@dataclass(frozen=True)
class Usd:
    """A money value converted to US dollars, or the reason it could not be."""

    value: Decimal | None
    rate: Decimal | None = None
    year: int | None = None
    source: str | None = None  # fx source id
    reason: str = ""  # why value is None ("undisclosed", "unknown", "no rate for VND 2025")
    approximate: bool = False  # the stated figure is not exact

    @property
    def converted(self) -> bool:
        return self.value is not None


def announced_date(rec: dict) -> PDate | None:
    """Return the date a project was first announced or signed (happened events only)."""
    dates = [e["date"] for e in rec["events"] if e["type"] in ANNOUNCING and not e.get("planned") and e.get("date")]
    if not dates:
        dates = [e["date"] for e in rec["events"] if not e.get("planned") and e.get("date")]
    return min(dates) if dates else None


def to_usd(money: dict | None, rec: dict, fx: dict) -> Usd:
    """Convert a money mapping at the yearly rate of the year it was stated."""
    if not money:
        return Usd(None, reason="unknown")
    amount = money.get("amount")
    if not isinstance(amount, Decimal):
        return Usd(None, reason=amount or "unknown")
    approximate = money.get("qualifier") not in (None, "exact") or bool(money.get("uncertain"))
    stated = money.get("stated") or announced_date(rec)
    currency = money["currency"]
    if currency == "USD":
        return Usd(amount, Decimal(1), stated.year if stated else None, None, approximate=approximate)
    if stated is None:
        return Usd(None, reason="no date to pick an exchange rate", approximate=approximate)
    rate = fx["rates"].get((currency, stated.year))
    if rate is None:
        return Usd(None, reason=f"no sourced {currency} rate for {stated.year}", approximate=approximate)
    value = (amount / rate["rate"]).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return Usd(value, rate["rate"], stated.year, rate["source"], approximate=approximate)


@dataclass(frozen=True, order=True)
class TimelineEvent:
    """One dated event of one project. Field order is the sort order (oldest first)."""

    start: tuple
    end: tuple
    project: str
    index: int
    date: PDate = field(compare=False)
    type: str = field(compare=False)
    planned: bool = field(compare=False)
    overdue: bool = field(compare=False)
    text: str = field(compare=False)
    title: str = field(compare=False)
    date_qualifier: str | None = field(compare=False, default=None)
    phase: str | None = field(compare=False, default=None)


def is_overdue(event: dict, rec: dict, as_of: PDate) -> bool:
    """A planned milestone whose date has passed with no recorded outcome of the same type (and phase)."""
    if not event.get("planned") or not event.get("date") or event["date"].last_day() >= as_of.first_day():
        return False
    return not any(
        not e.get("planned") and e["type"] == event["type"] and e.get("phase") == event.get("phase")
        for e in rec["events"]
    )


def timeline(records: list[dict], as_of: PDate) -> list[TimelineEvent]:
    """Return every dated event of every project, newest first."""
    out = [
        TimelineEvent(
            e["date"].first_day(),
            e["date"].last_day(),
            r["id"],
            i,
            e["date"],
            e["type"],
            bool(e.get("planned")),
            is_overdue(e, r, as_of),
            e["text"],
            r["title"],
            e.get("date_qualifier"),
            e.get("phase"),
        )
        for r in records
        for i, e in enumerate(r["events"])
        if e.get("date")  # undated events are on their project's page only
    ]
    # (start, end, project, index) is unique, so this is the dataclass order; a tuple key compares in C,
    # much faster than the dataclass's own comparisons (PERFORMANCE.md, "Measurements behind the code").
    return sorted(out, key=lambda e: (e.start, e.end, e.project, e.index), reverse=True)


def in_order(events: list[dict]) -> list[dict]:
    """A project's events by date; an undated event keeps its place after the event listed before it."""
    keyed, last = [], ((0, 0, 0), (0, 0, 0))
    for i, e in enumerate(events):
        if e.get("date"):
            last = (e["date"].first_day(), e["date"].last_day())
        keyed.append((last, i, e))
    return [e for _, _, e in sorted(keyed, key=lambda k: (k[0], k[1]))]


def lead_company(rec: dict) -> str:
    for role in ("investor", "operator"):
        for p in rec["parties"]:
            if p["role"] == role and not p.get("unknown"):
                return p["name"]
    return ""


@dataclass
class Group:
    """Totals for one group of projects (a country, a segment, a year…)."""

    key: str
    label: str
    projects: list = field(default_factory=list)  # record ids
    usd: Decimal = Decimal(0)
    usd_approximate: bool = False
    undisclosed: int = 0  # projects with no stated amount
    unconverted: int = 0  # projects with an amount but no sourced rate
    converted: int = 0  # projects whose amount is in the US-dollar total
    by_currency: dict = field(default_factory=dict)  # currency -> Decimal (as stated)

    def add(self, rec: dict, usd: Usd) -> None:
        self.projects.append(rec["id"])
        money = rec["investment"]
        if isinstance(money.get("amount"), Decimal):
            self.by_currency[money["currency"]] = self.by_currency.get(money["currency"], Decimal(0)) + money["amount"]
            if usd.converted:
                self.usd += usd.value
                self.usd_approximate |= usd.approximate
                self.converted += 1
            else:
                self.unconverted += 1
        else:
            self.undisclosed += 1


def groups(records: list[dict], keys_of, label_of, usd: dict[str, Usd]) -> list[Group]:
    """Group records by every key keys_of(record) yields; sorted by USD total, then count, then key."""
    table: dict[str, Group] = {}
    for rec in records:
        for key in keys_of(rec):
            if key not in table:
                table[key] = Group(key, label_of(key))
            table[key].add(rec, usd[rec["id"]])
    return sorted(table.values(), key=lambda g: (-g.usd, -len(g.projects), g.key))


SUPPORT_COLUMNS = (("awarded or disbursed", ("awarded", "disbursed")), ("preliminary or proposed", ("preliminary", "proposed")),
                   ("declined", ("declined",)))


@dataclass
class SupportGroup:
    """Public support under one programme (or in one country), by stage, in US dollars. Kept apart from
    announced investment: support pays for part of a project's cost, so adding the two would count it twice."""

    key: str
    countries: list = field(default_factory=list)
    projects: list = field(default_factory=list)  # record ids, once each
    usd: dict = field(default_factory=dict)  # column label -> Decimal
    approximate: dict = field(default_factory=dict)  # column label -> bool
    shares: int = 0  # entries given only as a share of the cost
    unconverted: int = 0  # entries with an amount but no sourced rate

    def add(self, rec: dict, item: dict, usd: Usd) -> None:
        if rec["id"] not in self.projects:
            self.projects.append(rec["id"])
        if rec["location"]["country"] not in self.countries:
            self.countries.append(rec["location"]["country"])
        column = next(label for label, stages in SUPPORT_COLUMNS if item["stage"] in stages)
        if usd.converted:
            self.usd[column] = self.usd.get(column, Decimal(0)) + usd.value
            self.approximate[column] = self.approximate.get(column, False) or usd.approximate
        elif isinstance(item.get("amount"), Decimal):
            self.unconverted += 1
        elif item.get("share") is not None:
            self.shares += 1


def support_groups(data: Dataset, key_of) -> list[SupportGroup]:
    table: dict[str, SupportGroup] = {}
    for rec in data.records:
        for item in rec.get("support") or []:
            key = key_of(rec, item)
            table.setdefault(key, SupportGroup(key)).add(rec, item, to_usd(item, rec, data.fx))
    return sorted(table.values(), key=lambda g: (-sum(g.usd.values(), Decimal(0)), g.key))


def _companies(rec: dict) -> set[str]:
    return {p["name"] for p in rec["parties"] if not p.get("unknown")} | {
        p["parent"] for p in rec["parties"] if p.get("parent")
    }


class Related:
    """Records indexed by what a reader would follow from one project to another, so that related() for
    every record is not O(N²): a source they share, a company, the same region or country, a segment."""

    def __init__(self, records: list[dict], segment_label=str):
        self.segment_label = segment_label
        self.by_id = {r["id"]: r for r in records}
        self.index: dict[tuple[str, str], list[str]] = {}  # (kind, key) -> record ids, sorted
        for r in sorted(records, key=lambda r: r["id"]):
            for key in set(self._keys(r)):
                self.index.setdefault(key, []).append(r["id"])
        for ids in self.index.values():
            ids.sort()

    @staticmethod
    def _keys(r: dict):
        yield from (("source", _url_key(s.get("url") or s["title"])) for s in r["sources"])
        yield from (("company", n) for n in _companies(r) if not _is_government(r, n))
        if r["location"].get("region"):
            yield ("region", r["location"]["region"])
        yield ("country", r["location"]["country"])
        yield from (("segment", s) for s in r["segments"])

    def __call__(self, rec: dict, limit: int = 8) -> list[tuple[dict, str]]:
        """Other projects linked to rec, strongest link first (the record's own list, a shared source, a
        shared company, the same region, the same country, a shared segment), then by id; each with its
        reason in reader's words."""
        from .places import region_name
        from .validate import country_name

        explicit = {r["id"]: r["relation"] for r in rec.get("related") or []}
        loc = rec["location"]
        tiers = [(("explicit", i), explicit[i]) for i in sorted(explicit)]
        tiers += [(("source", k), "reported in the same source") for k in sorted({_url_key(s.get("url") or s["title"]) for s in rec["sources"]})]
        tiers += [(("company", n), f"same company: {n}") for n in sorted(_companies(rec)) if not _is_government(rec, n)]
        if loc.get("region"):
            tiers.append((("region", loc["region"]), f"also in {region_name(loc['region'])}"))
        tiers.append((("country", loc["country"]), f"also in {country_name(loc['country'])}"))
        tiers += [(("segment", s), "also " + self.segment_label(s)) for s in dict.fromkeys(rec["segments"])]
        out: list[tuple[dict, str]] = []
        seen = {rec["id"]}  # a record is listed once, under the strongest link it has
        for key, why in tiers:
            ids = [key[1]] if key[0] == "explicit" and key[1] in self.by_id else self.index.get(key, [])
            for rid in ids:
                if len(out) >= limit:
                    return out
                if rid not in seen:
                    seen.add(rid)
                    out.append((self.by_id[rid], why))
        return out


def _url_key(url: str) -> str:
    """A source's address without scheme, 'www.', trailing slash or fragment: one article, however linked."""
    u = url.split("#", 1)[0].lower()
    u = u.split("://", 1)[-1]
    return u.removeprefix("www.").rstrip("/")


def _is_government(rec: dict, name: str) -> bool:
    return any(p["name"] == name and p["role"] == "government" for p in rec["parties"])


def fx_warnings(data: Dataset) -> list[Problem]:
    """Warn about amounts that cannot be converted for want of a sourced rate."""
    out = []
    for rec in data.records:
        for where, money in moneys(rec):
            u = to_usd(money, rec, data.fx)
            if u.reason.startswith("no sourced") or u.reason.startswith("no date"):
                out.append(
                    Problem(
                        rec.path,
                        *rec.at(where),
                        where,
                        f"{u.reason}: shown unconverted and left out of USD totals",
                        "add a sourced rate to content/fx.yaml",
                        "warning",
                    )
                )
    return out


def slugify(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")[:60].strip("-")


def browse_slugs(by: dict[str, list[Group]]) -> dict[tuple[str, str], str]:
    """Path slug of every browse-by page; built only from validated codes, terms and slugified names."""
    out: dict[tuple[str, str], str] = {}
    for kind in BROWSE_KINDS:
        used: set[str] = set()
        for g in sorted(by[kind], key=lambda g: g.key):
            slug = base = slugify(g.key) or "unnamed"
            n = 0
            while slug in used or slug == "index":  # alike names, or index.md (its URL is the folder's)
                n += 1  # a name may even be crafted to equal another's disambiguated slug: try again
                salt = g.key if n == 1 else f"{g.key}\n{n}"
                slug = f"{base}-{hashlib.sha256(salt.encode()).hexdigest()[:6]}"
            used.add(slug)
            out[(kind, g.key)] = slug
    return out


BROWSE_KINDS = ("country", "region", "company", "segment", "status")


STALE_AFTER_MONTHS = 18


def stale_after(settings: dict) -> int:
    value = settings.get("stale_after_months")
    return int(value) if value is not None else STALE_AFTER_MONTHS


@dataclass(frozen=True)
class Stale:
    """What of a record may be out of date: its status or its amount, last confirmed before `before`."""

    status: PDate | None  # the status's as-of date, when too old
    amount: PDate | None  # the date the amount was stated, when too old
    months: int


def staleness(data: Dataset) -> dict[str, Stale]:
    """Records whose status or amount was last confirmed more than stale_after_months before as_of."""
    months, as_of = stale_after(data.settings), data.settings["as_of"]
    y, m = divmod(as_of.year * 12 + as_of.month - 1 - months, 12)  # a year-only as_of counts from January
    limit = (y, m + 1, min(as_of.day or 1, 28))
    out = {}
    for r in data.records:
        status = r["status"].get("as_of")
        stated = r["investment"].get("stated") if isinstance(r["investment"].get("amount"), Decimal) else None
        old = [d if d and d.last_day() < limit else None for d in (status, stated)]
        if any(old):
            out[r["id"]] = Stale(*old, months)
    return out


def stale_notes(data: Dataset, stale: dict[str, Stale] | None = None) -> list[Problem]:
    """`check` reports what may be out of date as info, at the record's status."""
    stale = staleness(data) if stale is None else stale
    out = []
    for r in data.records:
        s = stale.get(r["id"])
        if s is None:
            continue
        parts = ([f"status as of {s.status.human()}"] if s.status else []) + (
            [f"amount stated {s.amount.human()}"] if s.amount else [])
        out.append(Problem(r.path, *r.at("status.as_of"), "status.as_of",
                           f"may be out of date: {', '.join(parts)} (over {s.months} months before as_of)",
                           "look for a newer source, then update status.as_of or investment.stated", "info"))
    return out


@dataclass
class Derived:
    as_of: PDate
    usd: dict[str, Usd]
    events: list[TimelineEvent]
    by: dict[str, list[Group]]
    total: Group
    warnings: list[Problem]
    slugs: dict[tuple[str, str], str] = field(default_factory=dict)
    stale: dict[str, Stale] = field(default_factory=dict)
    support: dict[str, list[SupportGroup]] = field(default_factory=dict)  # "programme" and "country" groups
    history: History | None = None  # from the git repository (tracker.history), when site.yaml asks for it


def derive(data: Dataset) -> Derived:
    """Compute everything the pages show beyond the records themselves."""
    as_of = data.settings["as_of"]
    usd = {r["id"]: to_usd(r["investment"], r, data.fx) for r in data.records}
    vocab = data.vocab
    from .places import region_label
    from .validate import country_name

    by = {
        "country": groups(data.records, lambda r: [r["location"]["country"]], country_name, usd),
        "region": groups(
            data.records,
            lambda r: [r["location"]["region"], *(r["location"].get("other_regions") or [])] if r["location"].get("region") else [],
            region_label,
            usd,
        ),
        "segment": groups(data.records, lambda r: r["segments"], lambda k: vocab["segments"][k]["label"], usd),
        "status": groups(data.records, lambda r: [r["status"]["value"]], lambda k: vocab["statuses"][k]["label"], usd),
        "year": sorted(
            groups(data.records, lambda r: [str(announced_date(r).year)] if announced_date(r) else [], str, usd),
            key=lambda g: g.key,
            reverse=True,
        ),
        "company": groups(data.records, lambda r: [lead_company(r)] if lead_company(r) else [], str, usd),
    }
    total = Group("all", "All projects")
    for r in data.records:
        total.add(r, usd[r["id"]])
    stale = staleness(data)
    support = {"programme": support_groups(data, lambda r, s: s["programme"]),
               "country": support_groups(data, lambda r, s: r["location"]["country"])}
    return Derived(as_of, usd, timeline(data.records, as_of), by, total, fx_warnings(data) + stale_notes(data, stale),
                   browse_slugs(by), stale, support)
