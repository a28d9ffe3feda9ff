"""Charts drawn at build time as inline SVG: no JavaScript, no requests, crisp at any zoom.

Pure functions from plain values to Markup. Every chart has a <title> and <desc>, text is escaped,
colours come from CSS classes (so light and dark palettes both work) and are never the only carrier
of meaning: values are written as text, approximate bars are hatched and marked with ≈, planned
milestones are hollow. Large inputs are aggregated (top N plus "other") so charts stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from .values import PDate


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str  # the value as shown, e.g. "US$7 billion"
    href: str | None = None
    approximate: bool = False


def compact(value: Decimal) -> str:
    """Short money text for small spaces: 11.4B, 261M, 950K, 0."""
    if not value:
        return "0"
    for scale, suffix in ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"),
                          (Decimal(10) ** 3, "K")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _f(x: float) -> str:
    """Fixed-precision coordinates: deterministic output, small files."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def figure(cid: str, title: str, desc: str, body: Markup, key: str = "", source: str = "") -> Markup:
    """A chart as a figure: its title, units and reading guide visible as text above it, its key and
    source line below. Assistive technology reads the same title and description (aria-labelledby)."""
    foot = Markup('<p class="tr-figure-source">{}</p>').format(source) if source else Markup("")
    return Markup(
        '<figure class="tr-figure" id="{cid}-figure" aria-labelledby="{cid}-title">'
        '<figcaption><span class="tr-figure-title" id="{cid}-title">{title}</span> '
        '<span class="tr-figure-desc" id="{cid}-desc">{desc}</span></figcaption>'
    ).format(cid=cid, title=title, desc=desc) + body + key + foot + Markup("</figure>")


def _svg(cid: str, width: float, height: float, body: list[Markup], cls: str) -> Markup:
    """Wrap an SVG chart in a keyboard-focusable scroll box labelled by its figure's visible title. A chart
    whose marks are links is a group (its links stay reachable); one without links is a single image. The
    chart is drawn at least at its natural size (so no text shrinks below 13 x its scale), and on a
    narrow screen the box scrolls."""
    content = Markup("").join(body)
    role = "group" if "<a " in content else "img"
    head = Markup(
        '<div class="tr-chartbox" tabindex="0" role="region" aria-labelledby="{cid}-title">'
        '<svg class="tr-chart {cls}" id="{cid}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="{role}" '
        'style="min-width:{w}px" aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg">'
    ).format(cls=cls, cid=cid, w=_f(width), h=_f(height), role=role)
    return head + content + Markup("</svg></div>")


APPROX_KEY = Markup('<p class="tr-legend"><span class="tr-key tr-key--approx"></span> hatched, with ≈: the total '
                    'includes approximate figures (“about”, “up to”, ranges)</p>')


def top_n(bars: list[Bar], n: int, other_text) -> list[Bar]:
    """Keep the n largest bars; fold the rest into one 'other' bar."""
    bars = sorted(bars, key=lambda b: (-b.value, b.label))
    if len(bars) <= n:
        return bars
    rest = bars[n - 1 :]
    total = sum((b.value for b in rest), Decimal(0))
    return bars[: n - 1] + [
        Bar(f"{len(rest)} others", total, other_text(total), None, any(b.approximate for b in rest))
    ]


def _pct(value: Decimal, top: Decimal) -> str:
    return _f(float(value / top * 100)) if top else "0"


def bar_chart(cid: str, title: str, desc: str, bars: list[Bar], source: str = "") -> Markup:
    """Horizontal bars as HTML: each row a label, a bar whose length is proportional to its value, and the
    value as text. HTML rather than SVG so that the text keeps its size at any width, and on a phone the
    label goes above its bar. Approximate totals are hatched and marked with ≈, never by colour alone."""
    top = max((b.value for b in bars), default=Decimal(0))
    rows = []
    for b in bars:
        label = Markup('<a href="{h}">{t}</a>').format(h=b.href, t=b.label) if b.href else escape(b.label)
        rows.append(Markup(
            '<li><span class="tr-bars-label">{label}</span><span class="tr-bars-track">'
            '<span class="tr-bar{a}" style="width:{w}%" data-value="{v}"></span></span>'
            '<span class="tr-bars-value">{t}</span></li>').format(
            label=label, a=" tr-bar--approx" if b.approximate else "", w=_pct(b.value, top), v=str(b.value),
            t=("≈ " if b.approximate else "") + b.text))
    body = Markup('<ol class="tr-bars" aria-labelledby="{cid}-title">{rows}</ol>').format(
        cid=cid, rows=Markup("").join(rows))
    key = APPROX_KEY if any(b.approximate for b in bars) else Markup("")
    return figure(cid, title, desc, body, key, source)


def column_chart(cid: str, title: str, desc: str, columns: list[tuple[str, int]], source: str = "") -> Markup:
    """Vertical columns for counts (e.g. projects per year) as HTML, the count written above each column."""
    peak = max((c for _, c in columns), default=0) or 1
    cols = [Markup('<li><span class="tr-cols-value">{c}</span><span class="tr-cols-track">'
                   '<span class="tr-bar" style="height:{h}%" data-value="{c}"></span></span>'
                   '<span class="tr-cols-label">{l}</span></li>').format(c=count, h=_pct(Decimal(count), Decimal(peak)),
                                                                       l=label)
            for label, count in columns]
    body = Markup('<ol class="tr-cols" aria-labelledby="{cid}-title">{cols}</ol>').format(
        cid=cid, cols=Markup("").join(cols))
    return figure(cid, title, desc, body, source=source)


# Tile-grid layouts: one equal tile per region, roughly where it lies. (column, row)
CHINA_TILES = {
    "CN-HL": (8, 0), "CN-NM": (5, 1), "CN-JL": (8, 1), "CN-XJ": (1, 2), "CN-GS": (3, 2), "CN-NX": (4, 2),
    "CN-SX": (5, 2), "CN-BJ": (6, 2), "CN-TJ": (7, 2), "CN-LN": (8, 2), "CN-QH": (2, 3), "CN-SN": (4, 3),
    "CN-HA": (5, 3), "CN-HE": (6, 3), "CN-SD": (7, 3), "CN-XZ": (2, 4), "CN-SC": (3, 4), "CN-CQ": (4, 4),
    "CN-HB": (5, 4), "CN-AH": (6, 4), "CN-JS": (7, 4), "CN-SH": (8, 4), "CN-YN": (3, 5), "CN-GZ": (4, 5),
    "CN-HN": (5, 5), "CN-JX": (6, 5), "CN-ZJ": (7, 5), "CN-GX": (4, 6), "CN-GD": (5, 6), "CN-FJ": (6, 6),
    "CN-HI": (4, 7),
}  # Taiwan, Hong Kong and Macao have ISO 3166-1 codes of their own; records use those.
@dataclass(frozen=True)
class Tile:
    """One place on a tile map: its US-dollar total (None: nothing disclosed), short label, full name,
    value as text and link."""

    amount: Decimal | None
    short: str
    name: str
    text: str
    href: str | None = None


BINS = 5


def tile_map(cid: str, title: str, desc: str, tiles: dict[str, tuple[int, int]], values: dict[str, Tile],
             names: dict[str, str] | None = None, source: str = "", tile: int = 58) -> Markup:
    """A tile-grid map: one equal tile per place, roughly where it lies. Places with projects are shaded in
    BINS equal steps of their US-dollar total and carry their label and value as text; places with projects
    but no disclosed amount are outlined and say n/d; places without projects are faint and unlabelled
    (their full name, from `names`, in the tooltip). A key below gives each step's range."""
    names = names or {}
    codes = sorted(set(tiles) | set(values))
    extra = [c for c in codes if c not in tiles]  # places without a fixed tile go in a row below
    cols = max(x for x, _ in tiles.values()) + 1
    rows = max(y for _, y in tiles.values()) + 1
    pos = dict(tiles)
    for i, c in enumerate(extra):
        pos[c] = (i % cols, rows + i // cols)
    rows += (len(extra) + cols - 1) // cols
    top = max((v.amount for v in values.values() if v.amount), default=Decimal(0))
    body = []
    for code in codes:
        x, y = pos[code]
        px, py = x * (tile + 4) + 2, y * (tile + 4) + 2
        v = values.get(code)
        if v is None:
            body.append(Markup('<rect x="{x}" y="{y}" width="{s}" height="{s}" rx="4" class="tr-tile tr-tile--empty">'
                               '<title>{t}: no projects</title></rect>').format(
                x=px, y=py, s=tile, t=names.get(code, code.split("-")[-1])))
            continue
        step = "nd" if not v.amount else str(min(BINS - 1, int(BINS * v.amount / top)))
        g = Markup('<rect x="{x}" y="{y}" width="{s}" height="{s}" rx="4" class="tr-tile tr-tile--{k}">'
                   '<title>{name}: {text}</title></rect><text x="{cx}" y="{ly}" class="tr-tile-label '
                   'tr-tile-label--{k}" text-anchor="middle">{short}</text><text x="{cx}" y="{vy}" '
                   'class="tr-tile-value tr-tile-label--{k}" text-anchor="middle">{text}</text>').format(
            x=px, y=py, s=tile, k=step, name=v.name, text=v.text, cx=px + tile // 2, ly=py + 24, vy=py + 44,
            short=v.short)
        body.append(Markup('<a href="{h}">{g}</a>').format(h=v.href, g=g) if v.href else g)
    svg = _svg(cid, cols * (tile + 4) + 4, rows * (tile + 4) + 4, body, "tr-chart--map")
    return figure(cid, title, desc, svg, map_key(top, any(not v.amount for v in values.values()), bool(names)), source)


def map_key(top: Decimal, undisclosed: bool, empty: bool) -> Markup:
    """The colour steps of a tile map as text ranges, and what outlined and faint tiles mean."""
    items = []
    if top:
        for k in range(BINS):
            lo, hi = top * k / BINS, top * (k + 1) / BINS
            text = f"US${compact(lo)}–{compact(hi)}" if k < BINS - 1 else f"US${compact(lo)} or more"
            items.append(Markup('<li><span class="tr-swatch tr-swatch--{k}"></span> {t}</li>').format(k=k, t=text))
    if undisclosed:
        items.append(Markup('<li><span class="tr-swatch tr-swatch--nd"></span> n/d: projects, no amount disclosed'
                            '</li>'))
    if empty:
        items.append(Markup('<li><span class="tr-swatch tr-swatch--empty"></span> no projects</li>'))
    return Markup('<ul class="tr-mapkey" aria-label="Key">{}</ul>').format(Markup("").join(items))


@dataclass(frozen=True)
class Row:
    label: str
    href: str | None
    phases: tuple  # (name, start PDate|None, end PDate|None)
    marks: tuple  # (PDate, label, planned bool, overdue bool)


def _day(d: tuple[int, int, int]) -> float:
    y, m, dd = d
    return y + (m - 1) / 12 + (dd - 1) / 365


def timeline_chart(cid: str, title: str, desc: str, rows: list[Row], as_of: PDate, width: int = 720,
                   source: str = "") -> Markup:
    """One row per project: phases as bars, milestones as marks (filled happened, hollow planned,
    crossed overdue), and the as-of date as a dashed line."""
    label_w, row_h, top = (0, 30, 26) if len(rows) == 1 else (215, 26, 26)
    days = [_day(as_of.first_day())]
    for r in rows:
        for _, s, e in r.phases:
            days += [_day(d.first_day()) for d in (s, e) if d]
        days += [_day(m[0].first_day()) for m in r.marks]
    lo, hi = int(min(days)), int(max(days)) + 1
    plot = width - label_w - 60  # 30 px each side: the first and last year labels are centred on their ticks
    sx = lambda t: label_w + 30 + (t - lo) / (hi - lo) * plot  # noqa: E731
    height = top + len(rows) * row_h + 24
    body = []
    for year in range(lo, hi + 1):
        x = sx(year)
        body.append(Markup('<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" class="tr-grid"/>'
                           '<text x="{x}" y="14" class="tr-chart-label" text-anchor="middle">{y}</text>').format(
            x=_f(x), t=top - 6, b=_f(height - 6), y=year))
    for i, r in enumerate(rows):
        y = top + i * row_h
        if label_w:
            label = r.label if len(r.label) <= 28 else r.label[:27] + "…"
            t = Markup('<text x="{x}" y="{y}" class="tr-chart-label" text-anchor="end">{t}<title>{full}</title>'
                       '</text>').format(x=label_w, y=_f(y + row_h * 0.6), t=label, full=r.label)
            body.append(Markup('<a href="{h}">{t}</a>').format(h=r.href, t=t) if r.href else t)
        for name, s, e in r.phases:
            if not s:
                continue
            x0, x1 = sx(_day(s.first_day())), sx(_day((e or s).last_day()) + 1 / 365)
            body.append(Markup('<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="3" class="tr-phase">'
                               '<title>{n}: {s} to {e}</title></rect>').format(
                x=_f(x0), y=_f(y + 4), w=_f(max(2.0, x1 - x0)), h=row_h - 12, n=name, s=s.human(),
                e=e.human() if e else "?"))
        for d, label, planned, overdue in r.marks:
            cx, cy = sx(_day(d.first_day())), y + row_h / 2 - 2
            kind = "overdue" if overdue else "planned" if planned else "happened"
            state = "planned, overdue" if overdue else "planned" if planned else "happened"
            mark = Markup('<circle cx="{x}" cy="{y}" r="5" class="tr-mark tr-mark--{k}"><title>{d}: {l} ({s})'
                          '</title></circle>').format(x=_f(cx), y=_f(cy), k=kind, d=d.human(), l=label, s=state)
            if overdue:
                mark += Markup('<path d="M{a} {b}l6 6m0 -6l-6 6" class="tr-mark-x"/>').format(
                    a=_f(cx - 3), b=_f(cy - 3))
            body.append(mark)
    x = sx(_day(as_of.first_day()))
    body.append(Markup('<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" class="tr-asof-line"/>'
                       '<text x="{x}" y="{ty}" class="tr-chart-label tr-asof-label" text-anchor="end">as of {d}'
                       '</text>').format(x=_f(x), t=top - 6, b=_f(height - 16), ty=_f(height - 3),
                                         d=as_of.human()))
    return figure(cid, title, desc, _svg(cid, width, height, body, "tr-chart--timeline"), legend_timeline(), source)


def legend_timeline() -> Markup:
    return Markup(
        '<p class="tr-legend"><span class="tr-key tr-key--phase"></span> phase (start to target) '
        '<span class="tr-key tr-key--happened"></span> happened '
        '<span class="tr-key tr-key--planned"></span> planned '
        '<span class="tr-key tr-key--overdue"></span> planned, overdue (×) '
        '<span class="tr-key tr-key--asof"></span> as-of date</p>'
    )


__all__ = ["Bar", "Row", "Tile", "bar_chart", "column_chart", "tile_map", "timeline_chart", "top_n", "legend_timeline",
           "CHINA_TILES", "escape"]
