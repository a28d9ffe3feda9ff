"""Stage 4: render Jinja2 templates into a docs tree held in memory ({relative path: text}).

Record text reaches templates only as variables, in one autoescaping environment with StrictUndefined.
Pages are Markdown files whose data-bearing parts are HTML blocks, which Python-Markdown leaves alone:
so escaped text can never turn into Markdown links either. Markdown fields are rendered here and
cleaned with an allowlist (nh3) before they are inserted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import threading
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import NamedTuple

import markdown as md_lib
import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape
from markupsafe import Markup, escape

from . import explore, opendata, schema
from .charts import compact
from .content import Dataset
from .derive import SUPPORT_COLUMNS, Derived, Related, Usd, announced_date, in_order, is_overdue, lead_company
from .errors import BuildFailed
from .history import edits
from .maps import PRECISION_WORDS
from .places import local_lang, region_label, region_name
from .validate import country_name, currency_name
from .values import MONTHS, QUALIFIER_WORDS, PDate, plain_decimal

SCALES = [(Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")]
ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "code", "br", "blockquote", "h3", "h4"}


def number(value: Decimal) -> str:
    """Write 800000000 as '800 million', 3870000000 as '3.87 billion', 25000 as '25,000'."""
    for scale, word in SCALES:
        if value >= scale:
            scaled = (value / scale).normalize()
            text = format(scaled, "f")
            if "." in text and len(text.split(".")[1]) > 3:
                text = format(scaled.quantize(Decimal("0.001")), "f").rstrip("0").rstrip(".")
            return f"{text} {word}"
    text = format(value, ",f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_text(m: dict | None) -> str:
    """'about CNY 500 million', 'undisclosed', 'CNY 3.4–3.6 billion'."""
    if not m:
        return "unknown"
    amount = m.get("amount")
    if not isinstance(amount, Decimal):
        return "not disclosed" if amount == "undisclosed" else "unknown"
    text = number(amount)
    if m.get("amount_high"):
        high = number(m["amount_high"])
        lo_word, hi_word = text.split(" ")[-1], high.split(" ")[-1]
        text = f"{text.rsplit(' ', 1)[0] if lo_word == hi_word and ' ' in text else text}–{high}"
    return f"{QUALIFIER_WORDS[m.get('qualifier') or 'exact']}{m['currency']} {text}"


def significant(value: Decimal, digits: int = 3) -> Decimal:
    """Round a converted figure to a few significant digits: conversions are not exact to the dollar."""
    if value == 0:
        return value
    exponent = value.adjusted() - digits + 1
    return value.scaleb(-exponent).quantize(Decimal(1)).scaleb(exponent)


def usd_text(u: Usd) -> str:
    """'US$116 million' (converted at a yearly rate: 3 significant digits), '≈ US$2 billion'."""
    if not u.converted:
        return "—"
    value = u.value if u.rate == 1 else significant(u.value)
    return f"{'≈ ' if u.approximate else ''}US${number(value)}"


def inline_code(text: str) -> Markup:
    """Escape text and show its `backticked` parts as code (the field table's help texts use them)."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))  # noqa: S704 - escaped first


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 project', '6 projects', '2 companies' (with plural_form)."""
    return f"{count:,} {singular if count == 1 else plural_form or singular + 's'}"


def date_text(d: PDate | None, qualifier: str | None = None) -> str:
    if d is None:
        return "—"
    return ("" if qualifier in (None, "on") else f"{qualifier} ") + d.human()  # schema.DATE_QUALIFIERS read as words


_MD = threading.local()


def _absolute_links_only(tag: str, attr: str, value: str) -> str | None:
    """A record cannot know the site's layout: relative links (broken, or leaving the site) lose their href."""
    if attr == "href" and not value.strip().lower().startswith(("https://", "http://", "mailto:")):
        return None
    return value


def render_markdown(text: str | None) -> Markup:
    """Render a Markdown field and keep only allowlisted tags, attributes and https/http/mailto links."""
    if not text:
        return Markup("")
    converter = getattr(_MD, "converter", None)
    if converter is None:  # one parser per thread, reset between fields: building it costs more than a field
        converter = _MD.converter = md_lib.Markdown(extensions=[], output_format="html")
    raw = converter.reset().convert(text)
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"https", "http", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_absolute_links_only,
    )
    # No blank lines inside the HTML block, so Markdown never re-reads any of it.
    return Markup("\n".join(line for line in clean.splitlines() if line.strip()))  # noqa: S704 - nh3-cleaned


def front_matter_text(text: str) -> Markup:
    """A YAML (JSON) string for front matter, HTML-escaped because the theme prints it unescaped."""
    return Markup(json.dumps(html.escape(text, quote=True), ensure_ascii=False))  # noqa: S704 - escaped here


def flags(item: dict | None, name: str | None = None) -> Markup:
    """Mark an item, or one field of it, as uncertain and/or derived."""
    if not item:
        return Markup("")
    out = []
    for flag, label, title in (
        ("uncertain", "uncertain", "Sources hint at this but do not state it clearly, or disagree"),
        ("derived", "derived", "Worked out by the editors, not stated by a source"),
    ):
        value = item.get(flag)
        if value is True and name is None or isinstance(value, list) and name in value:
            out.append(Markup('<span class="tr-flag tr-flag--{0}" title="{1}">{0}</span>').format(label, title))
    return Markup(" ").join(out)


def compact_text(page: str) -> str:
    """Write the characters of a page's body beyond Latin-1 (“ ” ≈ – and CJK names) as numeric
    character references, which render exactly the same. The body is HTML blocks only, passed through
    by Markdown untouched; the front matter keeps real characters (MkDocs reads it as YAML).

    Why: Python holds a string with even one such character at 2 or 4 bytes per character, and MkDocs
    keeps every page's source and HTML in memory until the build ends (what it saves: PERFORMANCE.md,
    "Measurements behind the code")."""
    head, sep, body = page.partition("\n---\n")
    if not sep or not head.startswith("---\n"):
        head, sep, body = "", "", page
    return head + sep + body.encode("latin-1", "xmlcharrefreplace").decode("latin-1")


class Job(NamedTuple):
    """One unit of rendering: the docs-tree paths it writes (known before it runs), and a function
    returning {path: text, or bytes for data files} for exactly those paths."""

    paths: tuple[str, ...]
    make: Callable[[], dict]

    def __call__(self) -> dict:
        out = self.make()
        if len(out) != len(self.paths) or set(out) != set(self.paths):
            raise BuildFailed(f"render job for {self.paths[0]} wrote {sorted(out)[:3]}, not the paths it declared")
        return out


@dataclasses.dataclass(frozen=True)
class Paging:
    """One page of a list split into pages (Renderer.pages_of): page `number` of `count`, showing rows
    rows `first` to `last` (1-based) of `total`; `urls` of every page, from the site root."""

    number: int
    count: int
    total: int
    first: int
    rows: list
    urls: list[str]
    path: str

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


class Renderer:
    """Render every page of the site from a validated Dataset and its Derived values."""

    def __init__(self, data: Dataset, derived: Derived, templates: Path, memo: dict | None = None):
        """memo: pages kept from an earlier Renderer (`serve`), reused while what they show is unchanged."""
        self.data, self.derived = data, derived
        self.memo = memo
        self.memo_key = _inputs_digest(data, derived, templates) if memo is not None else ""
        self.env = Environment(
            loader=FileSystemLoader(str(templates)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            money=money_text,
            sig=significant,
            usd=usd_text,
            date=date_text,
            md=render_markdown,
            fm=front_matter_text,
            number=number,
            plain=plain_decimal,
            degrees=lambda v, pos, neg: f"{abs(v)}° {pos if v >= 0 else neg}",
            country=lambda c: country_name(c) or c,
            region=lambda r: region_name(r) if r else "",
            region_label=region_label,
            lang=local_lang,
            code=inline_code,
            currency=lambda c: currency_name(c) or c,
            term=self.term,
        )
        self.env.globals.update(
            site=data.settings,
            vocab=data.vocab,
            derived=derived,
            as_of=derived.as_of,
            fx=data.fx,
            usd_of=lambda rec: derived.usd[rec["id"]],
            lead=lead_company,
            announced=announced_date,
            cite=self.cite,
            browse=self.browse,
            summary_charts=self.summary_charts,
            timeline_chart=self.timeline_chart,
            project_strip=self.project_strip,
            geo_maps=self.geo_maps,
            support_columns=SUPPORT_COLUMNS,
            precision_words=PRECISION_WORDS,
            locator_map=self.locator_map,
                        flags=flags,
            is_overdue=is_overdue,
            fields=schema.FIELDS,
            month_name=lambda m: MONTHS[m - 1],
            plural=plural,
            vocab_names=schema.VOCAB_NAMES,
        )

    # Charts ---------------------------------------------------------------------------------------
    def usd_bars(self, kind: str, base: str, n: int = 12) -> list:
        from .charts import Bar, top_n

        groups = [g for g in self.derived.by[kind] if g.usd > 0]
        bars = [Bar(g.label, significant(g.usd), f"US${number(significant(g.usd))}", base + self.browse(kind, g.key),
                    g.usd_approximate) for g in groups]
        return top_n(bars, n, lambda total: f"US${number(significant(total))}")

    def source_line(self, converted: bool = True) -> str:
        """The line under every chart: where its figures come from."""
        rates = "; amounts converted to US dollars at yearly average rates" if converted else ""
        return f"Source: the tracker's project records, data as of {self.derived.as_of.human()}{rates}."

    def summary_charts(self, base: str) -> dict:
        from .charts import CHINA_TILES, Bar, Tile, bar_chart, column_chart, tile_map, top_n

        d = self.derived
        counts = [Bar(g.label, Decimal(len(g.projects)), str(len(g.projects)), base + self.browse("status", g.key))
                  for g in d.by["status"]]
        years = sorted((g.key, len(g.projects)) for g in d.by["year"])

        def tile(g, kind: str, short: str, name: str) -> Tile:
            amount = significant(g.usd) if g.converted else None
            text = f"${compact(amount)}" if amount else "n/d"
            return Tile(amount, short, name, text, base + self.browse(kind, g.key))

        china = {g.key: tile(g, "region", g.key.split("-")[1], region_name(g.key))
                 for g in d.by["region"] if g.key.startswith("CN-")}
        china_names = {code: region_name(code) for code in CHINA_TILES}
        usd_desc = "Converted US-dollar totals, largest first; projects without a disclosed amount are not in them."
        return {
            "country": bar_chart("chart-country", "Announced investment by country (US$)", usd_desc,
                                 self.usd_bars("country", base), self.source_line()),
            "segment": bar_chart("chart-segment", "Announced investment by segment (US$)",
                                 usd_desc + " A project in several segments counts in each.",
                                 self.usd_bars("segment", base), self.source_line()),
            "year": column_chart("chart-year", "Projects by year first announced or signed (number of projects)",
                                 "Each project counts once, in the year of its first announcement or signing.",
                                 [(str(y), c) for y, c in years[-15:]], self.source_line(False)),
            "status": bar_chart("chart-status", "Projects by status (number of projects)",
                                "Each project counts once, at its current status.", top_n(counts, 10, str),
                                self.source_line(False)),
            "china": tile_map("map-china", "China: announced investment by province (US$)",
                              "One tile per province-level division, placed roughly where it lies, shaded by its "
                              "converted total.", CHINA_TILES, china, china_names, self.source_line()),
        }

    def geo_maps(self, base: str) -> Markup:
        """The summary's maps of located projects (tracker/maps.py)."""
        from .charts import figure
        from .maps import Mark, source_line, summary_maps

        marks = []
        for r in self.data.records:
            point = r["location"].get("coordinates")
            if point:
                u = self.derived.usd[r["id"]]
                usd = significant(u.value) if u.converted else None
                amount = usd_text(u) if u.converted else "n/d" if u.reason in ("undisclosed", "unknown") else "not converted"
                marks.append(Mark(float(point["lat"]), float(point["lon"]), f"{r['title']}: {amount}",
                                  f"{base}projects/{r['id']}/", usd))
        return summary_maps(marks, len(self.data.records) - len(marks), lambda v: f"US${number(significant(v))}",
                            f"{self.source_line()} Basemap: {source_line()}.", figure)

    def locator_map(self, rec: dict) -> Markup:
        from .charts import figure
        from .maps import locator, source_line

        loc = rec["location"]
        return locator(loc["coordinates"], rec["title"], loc.get("city") or loc.get("district") or "", loc["country"],
                       f"Basemap: {source_line()}.", figure)

    def rows_for(self, records: list[dict], base: str) -> list:
        from .charts import Row

        rows = []
        for r in records:
            phases = tuple((p["name"], p.get("start"), p.get("target")) for p in r.get("phases") or [] if p.get("start"))
            marks = tuple((e["date"], self.term(e["type"], "event_types"), bool(e.get("planned")),
                           is_overdue(e, r, self.derived.as_of)) for e in r["events"] if e.get("date"))
            rows.append(Row(r["title"], f"{base}projects/{r['id']}/", phases, marks))
        return rows

    def timeline_chart(self, base: str, limit: int = 40) -> Markup:
        from .charts import timeline_chart

        latest = {}
        for e in self.derived.events:  # newest first: the first seen is each project's latest event
            latest.setdefault(e.project, e.start)
        by_id = {r["id"]: r for r in self.data.records}
        chosen = sorted(latest, key=lambda pid: (tuple(-x for x in latest[pid]), pid))[:limit]
        chosen.sort(key=lambda pid: (min(e["date"].first_day() for e in by_id[pid]["events"] if e.get("date")), pid))
        more = len(self.data.records) - len(chosen)
        desc = ("Each row is a project: phases as bars, milestones as circles (filled: happened; hollow: planned; "
                "crossed: planned and overdue); the dashed line is the as-of date.")
        if more > 0:
            desc += f" Showing the {len(chosen)} projects with the most recent events; {more} more are in the list below."
        return timeline_chart("chart-timeline", "Projects over time", desc,
                              self.rows_for([by_id[p] for p in chosen], base), self.derived.as_of,
                              source=self.source_line(False))

    def project_strip(self, rec: dict) -> Markup:
        from .charts import timeline_chart

        return timeline_chart(f"strip-{rec['id']}", "Timeline",
                              "Phases as bars and milestones as circles (filled: happened; hollow: planned; crossed: "
                              "planned and overdue); the dashed line is the as-of date.",
                              self.rows_for([rec], ""), self.derived.as_of, width=640)

    def browse(self, kind: str, key: str) -> str:
        """Path (from the site root, no leading slash) of the browse-by page for a group."""
        return f"browse/{kind}/{self.derived.slugs[(kind, key)]}/"

    def term(self, term: str, vocab: str) -> str:
        return self.data.vocab[vocab][term]["label"]

    def cite(self, item: dict | None, rec: dict) -> Markup:
        """Numbered links from an item to the record's sources list."""
        if not item or not item.get("sources"):
            return Markup("")
        numbers = {s["id"]: i + 1 for i, s in enumerate(rec["sources"])}
        # Called for every fact of every page: plain string building with explicit escaping (Markup.format
        # goes through string.Formatter, which cost a tenth of the render stage).
        links = "".join(f'<a href="#source-{escape(sid)}" class="tr-cite" title="Source {numbers[sid]}">'
                        f"[{numbers[sid]}]</a>" for sid in item["sources"])
        return Markup(f'<sup class="tr-cites">{links}</sup>')  # noqa: S704 - ids escaped, numbers are ints

    # Templates that show only their context and what memo_key covers (no totals or lists of the whole
    # dataset through `derived`): `serve` reuses such a page while its context is the same (see _same).
    MEMO_TEMPLATES = frozenset({"project.md", "browse.md", "projects.md", "timeline-year.md"})

    def page(self, path: str, template: str, **context) -> str:
        """Render one page; `base` is the relative way back to the site root from its URL."""
        memo = self.memo if template in self.MEMO_TEMPLATES else None
        kept = memo.get(path) if memo is not None else None
        if kept and kept[:2] == (template, self.memo_key) and _same(kept[2], context):
            return kept[3]
        depth = path.count("/") + (path.rsplit("/", 1)[-1] != "index.md")  # not "projects/dow-index.md"
        try:
            text = compact_text(self.env.get_template(template).render(base="../" * depth, **context))
            if memo is not None:
                memo[path] = (template, self.memo_key, context, text)
            return text
        except TemplateError as exc:
            line = getattr(exc, "lineno", None)
            where = f"{getattr(exc, 'filename', None) or template}{f':{line}' if line else ''}"
            raise BuildFailed(f"template error in {where} while rendering {path}: {exc}") from None

    PROJECTS_PER_PAGE = 250  # rows of the projects list and of each browse page
    TIMELINE_NEWEST = 300  # events on the timeline's front page
    EVENTS_PER_PAGE = 1500  # a year with more events is split into month pages

    def pages_of(self, rows: list, path: str, url: str, rest: str) -> list[Paging]:
        """Split a list of projects into pages of PROJECTS_PER_PAGE rows. The first page is written to `path`
        and has the URL `url`; page n is written to `rest` + "n.md" and has the URL `rest` + "n/" (from the
        site root). Page numbers are plain integers, so `rest` can never meet a slug or id."""
        size = self.PROJECTS_PER_PAGE
        count = max(1, -(-len(rows) // size))
        urls = [url] + [f"{rest}{n}/" for n in range(2, count + 1)]
        return [Paging(n, count, len(rows), (n - 1) * size + 1, rows[(n - 1) * size : n * size], urls,
                       path if n == 1 else f"{rest}{n}.md") for n in range(1, count + 1)]

    def paged_pages(self) -> list[tuple[str, str, dict]]:
        """The projects list and the timeline, split so no page grows with the whole dataset:
        [(path, template, context)]."""
        records, events = self.data.records, self.derived.events
        out = []
        for paging in self.pages_of(records, "projects/index.md", "projects/", "projects-list/"):
            out.append((paging.path, "projects.md", dict(
                paging=paging, page_title="Projects" if paging.number == 1 else f"Projects, page {paging.number}",
                page_description=f"All {len(records)} tracked projects.")))
        out += self.changes_pages()
        by_year: dict[int, list] = {}
        for e in events:
            by_year.setdefault(e.date.year, []).append(e)
        years = sorted(((y, len(v)) for y, v in by_year.items()), reverse=True)
        out.append(("timeline/index.md", "timeline-index.md", dict(
            events=events[: self.TIMELINE_NEWEST], years=years,
            page_title="Timeline", page_description="Every dated event of every project, newest first.")))
        for year, items in by_year.items():
            common = dict(year=year, years=years, page_description=f"Events of {year}, newest first.")
            if len(items) <= self.EVENTS_PER_PAGE:
                out.append((f"timeline/{year}.md", "timeline-year.md", dict(
                    events=items, months=[], part="", page_title=f"Timeline: {year}", **common)))
                continue
            by_month: dict[int, list] = {}
            for e in items:
                by_month.setdefault(e.date.month, []).append(e)
            months = [(PDate(year, m).human().rsplit(" ", 1)[0] if m else "year only",
                       f"{year}-{m:02d}" if m else f"{year}-00", len(v)) for m, v in sorted(by_month.items(), reverse=True)]
            out.append((f"timeline/{year}.md", "timeline-year.md", dict(
                events=[], months=months, part="", page_title=f"Timeline: {year}", **common)))
            for (label, slug, _), (_month, v) in zip(months, sorted(by_month.items(), reverse=True), strict=True):
                out.append((f"timeline/{slug}.md", "timeline-year.md", dict(
                    events=v, months=months, part=label, page_title=f"Timeline: {label} {year}", **common)))
        return out

    def changes_pages(self) -> list[tuple[str, str, dict]]:
        """Recent changes: every record's edits, newest first, in pages (tracker.history)."""
        history = self.derived.history
        rows = edits(history.changes) if history else []
        titles = {r["id"]: r["title"] for r in self.data.records}
        out = []
        for paging in self.pages_of(rows, "changes/index.md", "changes/", "changes/"):
            out.append((paging.path, "changes.md", dict(
                paging=paging, titles=titles, history=history,
                page_title="Recent changes" if paging.number == 1 else f"Recent changes, page {paging.number}",
                page_description="What changed in the project records, newest first, from the repository's history.")))
        return out

    def render_all(self) -> dict[str, str | bytes]:
        """Return {path in docs tree: page text, or bytes for data files} for everything generated."""
        pages: dict[str, str | bytes] = {}
        for job in self.jobs():
            pages.update(job())
        return pages

    def jobs(self) -> list[Job]:
        """Every page to render, as a list of independent jobs, each declaring the paths it writes.

        A job depends only on the dataset, so jobs can run in any process and in any order
        (tracker.site.write_tree shares them between cores, tracker.stream renders them while MkDocs
        reads them); render_all runs them in one."""
        data, derived = self.data, self.derived
        records = data.records
        site = data.settings["title"]
        largest = sorted(
            (r for r in records if derived.usd[r["id"]].converted), key=lambda r: (-derived.usd[r["id"]].value, r["id"])
        )[:10]
        fixed = [
            ("index.md", "home.md", site, data.settings["description"], {}),
            (
                "summary.md",
                "summary.md",
                "Summary",
                "Totals by country, region, segment, year, status and company.",
                {"largest": largest},
            ),
            ("methodology.md", "methodology.md", "Methodology", "Statuses, evidence rules, currency conversion.", {}),
            (
                "contributing/record-format.md",
                "record-format.md",
                "Record format",
                "Every field of a project record.",
                {"limits": {name: getattr(schema, name) for name in
                            ("MAX_TEXT", "MAX_MARKDOWN", "MD_LINKS", "MD_DEPTH", "MD_INDENT")}},
            ),
        ]
        jobs = [
            self._one(path, template, page_title=title, page_description=desc, records=records, **extra)
            for path, template, title, desc, extra in fixed
        ]
        jobs += [self._one(path, template, **context) for path, template, context in self.paged_pages()]
        related = Related(records, lambda s: self.term(s, "segments"))  # indexed once: per-record scans would be O(N²)
        for rec in records:  # the page's context is worked out when the job runs, in whichever process
            path = f"projects/{rec['id']}.md"
            jobs.append(Job((path,), partial(self._project, path, rec, related)))
        by_id = {r["id"]: r for r in records}
        kinds = {"country": "Country", "region": "Region", "company": "Company", "segment": "Segment",
                 "status": "Status"}
        for kind in kinds:
            for g in derived.by[kind]:
                url = self.browse(kind, g.key)
                for paging in self.pages_of([by_id[i] for i in g.projects], f"{url[:-1]}.md", url, url):
                    title = f"{kinds[kind]}: {g.label}"
                    jobs.append(self._one(
                        paging.path, "browse.md", group=g, kind=kind, kind_label=kinds[kind], paging=paging,
                        page_title=title if paging.number == 1 else f"{title}, page {paging.number}",
                        page_description=f"{plural(len(g.projects), 'tracked project')} for {kinds[kind].lower()} {g.label}.",
                    ))
        jobs.append(self._one(
            "browse/index.md", "browse-index.md", kinds=kinds, records=records, page_title="Browse",
            page_description="Projects by country, region, company, segment and status.",
        ))
        jobs.append(self._one(
            "data.md", "data.md", records=records, page_title="Data",
            page_description="Download the whole dataset as CSV and JSON (CC BY 4.0).",
        ))
        jobs.append(Job(opendata.PATHS, self.data_files))
        jobs.append(self._one(
            "explore.md", "explore.md", records=records[: self.PROJECTS_PER_PAGE], total=len(records),
            page_title="Explore the projects",
            page_description="Filter the projects by country, region, status, segment, company, year and amount.",
        ))
        jobs.append(Job((explore.PATH,), lambda: {explore.PATH: explore.explore_json(
            self.data, self.derived, money_text, date_text, usd_text, significant)}))
        return jobs

    HISTORY_SHOWN = 25  # commits listed in a project's History section; the repository has the rest

    def _project(self, path: str, rec: dict, related: Related) -> dict[str, str]:
        usd = self.derived.usd[rec["id"]]
        history = self.derived.history
        return {path: self.page(
            path,
            "project.md",
            rec=rec,
            usd=usd,
            related=related(rec),
            hist=history.records.get(rec["id"]) if history else None,
            stale=self.derived.stale.get(rec["id"]),
            page_title=rec["title"],
            page_description=page_description(rec, usd),
            events=in_order(rec["events"]),
        )}

    def _one(self, path: str, template: str, **context) -> Job:
        return Job((path,), lambda: {path: self.page(path, template, **context)})

    def data_files(self) -> dict[str, str | bytes]:
        from .formats import schema_text

        return opendata.data_files(self.data, self.derived, schema_text(self.data.vocab))


def _same(a, b) -> bool:
    """True when a and b must render alike: the same object; or lists, tuples, dicts (keys in the same
    order) and dataclasses of one type whose items are the same; or equal values of one plain type,
    Decimals digit for digit (1.0 and 1.00 are equal but print differently). Anything else: False.

    Records and the values derived from them are never changed once made (tracker.content), and
    unchanged records come back from the content-hash cache as the same objects, so comparing a
    page's context costs little more than an identity test per value."""
    if a is b:
        return True
    t = type(a)
    if t is not type(b):
        return False
    if t is list or t is tuple:
        return len(a) == len(b) and all(map(_same, a, b))
    if t is dict:
        return list(a) == list(b) and all(_same(v, b[k]) for k, v in a.items())
    if t in (str, int, float, bool, Markup):
        return a == b
    if t is Decimal:
        return a.as_tuple() == b.as_tuple()
    if dataclasses.is_dataclass(a):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return False


def _inputs_digest(data: Dataset, derived: Derived, templates: Path) -> str:
    """A digest of what the MEMO_TEMPLATES show besides their context: settings, vocabularies, rates,
    the as-of date, the browse pages' slugs and the templates."""
    h = hashlib.sha256(repr((data.settings, data.vocab, data.fx, derived.as_of, sorted(derived.slugs.items()))).encode())
    for f in sorted(templates.rglob("*")):
        if f.is_file():
            h.update(f.relative_to(templates).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def page_description(rec: dict, usd: Usd) -> str:
    """One line for search results and link previews: place, amount, status."""
    place = ", ".join(x for x in (rec["location"].get("city"), country_name(rec["location"]["country"])) if x)
    amount = money_text(rec["investment"])
    return f"{rec['title']} in {place}: investment {amount}; status {rec['status']['value'].replace('-', ' ')}."
