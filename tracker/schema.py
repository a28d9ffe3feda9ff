"""The field table: every record field declared once, with its type, whether it is required and its help.

Validation (validate.py), the "Record format" page and the JSON Schema for editors are all generated
from FIELDS below, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

# Limits on text (tracker.validate enforces them; the record format page states them).
MAX_TEXT, MAX_MARKDOWN = 400, 6000  # characters
MD_DEPTH, MD_INDENT, MD_LINKS = 8, 32, 40  # Markdown: markers nested on a line, spaces of indent, '[' characters


@dataclass(frozen=True)
class T:
    """A value type. kind names the converter in validate.py; arg parameterises it."""

    kind: str
    arg: object = None
    item: T | None = None  # for lists
    fields: tuple = ()  # for objects

    def describe(self) -> str:
        if self.kind == "list":
            return f"list of {self.item.describe()}"
        if self.kind == "object":
            return "mapping"
        if self.kind == "choice":
            return "one of " + ", ".join(self.arg)
        if self.kind in ("term", "ref"):
            return (
                f"a term from the vocabulary '{self.arg}'"
                if self.kind == "term"
                else f"the id of one of this record's {self.arg}"
            )
        return {
            "branch": "git branch name, e.g. main",
            "text": "text (one line)",
            "markdown": "Markdown text",
            "slug": "id (lowercase letters, digits, single hyphens)",
            "country": "ISO 3166-1 alpha-2 code",
            "region": "ISO 3166-2 code",
            "currency": "ISO 4217 code",
            "date": "date: YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1/H2 or YYYY-Q1..Q4",
            "year": "year, e.g. 2020",
            "amount": 'number: 800000000, "800 million", "27,000 crore"',
            "money_amount": 'number such as 800000000 or "800 million", or the word undisclosed or unknown',
            "url": "https URL",
            "coordinate": f"decimal degrees from -{self.arg} to {self.arg} (WGS 84), e.g. 23.45",
            "bool": "true or false",
            "flags": "true, or a list of field names of this item",
        }[self.kind]


@dataclass(frozen=True)
class Field:
    name: str
    type: T
    help: str
    required: bool = False
    example: str = ""
    usual: bool = False  # not required, but needed in the common case: the scaffold leaves it empty to fill in


def F(name, type_, help_, required=False, example="", usual=False):
    return Field(name, type_, help_, required, example, usual)


TEXT, MD = T("text"), T("markdown")


def obj(*fields: Field) -> T:
    return T("object", fields=tuple(fields))


def listof(item: T) -> T:
    return T("list", item=item)


PRECISIONS = ("site", "town", "region")
QUALIFIERS = ("exact", "about", "at-least", "more-than", "up-to")
DATE_QUALIFIERS = ("on", "about", "by", "early", "mid", "late", "after", "before")

# Fields every fact-bearing item carries: where it comes from, and how sure we are.
CLAIM = (
    F("sources", listof(T("ref", "sources")), "ids of the sources (below) that state this", example="[s1]"),
    F(
        "uncertain",
        T("flags"),
        "`true` when the sources hint at this but do not state it clearly, or disagree; or a list of the "
        "uncertain fields",
        example="[date]",
    ),
    F(
        "derived",
        T("flags"),
        "`true` (or a list of fields) when the value was worked out by the editor (ISO codes, unit "
        "conversions), not stated by a source",
        example="[region]",
    ),
    F("note", TEXT, "a short editor's note shown beside the item"),
)

MONEY = obj(
    F(
        "amount",
        T("money_amount"),
        "the figure as an exact number; words `undisclosed` (the company declined to say) or `unknown` "
        "(not found in any source) when there is none",
        required=True,
        example='"800 million"',
    ),
    F("amount_high", T("amount"), "upper end when the source gives a range", example='"3.6 billion"'),
    F("currency", T("currency"), "ISO 4217 currency of the amount; required with a number", example="CNY"),
    F("qualifier", T("choice", QUALIFIERS), "how exact the source is (default `exact`)", example="about"),
    F(
        "stated",
        T("date"),
        "when the figure was announced or revised; picks the exchange-rate year (default: the record's "
        "first announced or signed event)",
        example="2020-07-05",
    ),
    F("as_reported", TEXT, "the figure exactly as the source wrote it", example='"800-million-yuan"'),
    F(
        "equivalent",
        obj(
            F("amount", T("amount"), "the same figure in another currency, as the source gave it", required=True),
            F("currency", T("currency"), "its ISO 4217 currency", required=True),
            F("qualifier", T("choice", QUALIFIERS), "how exact (default `exact`)"),
        ),
        "the same figure as the source also gave it in a second currency",
    ),
    *CLAIM,
)

SUPPORT_KINDS = ("grant", "loan", "tax-credit", "equity", "land", "other-incentive")
SUPPORT_STAGES = ("proposed", "preliminary", "awarded", "disbursed", "declined")
SUPPORT = obj(
    F("kind", T("choice", SUPPORT_KINDS), "what form the support takes", required=True, example="grant"),
    F("programme", TEXT, "the programme or law it comes under", required=True, example="CHIPS Act"),
    F("authority", TEXT, "who grants it", required=True, example="U.S. Department of Commerce"),
    F("stage", T("choice", SUPPORT_STAGES), "how far it has got: `proposed`, `preliminary` (terms agreed, not final), "
      "`awarded`, `disbursed` or `declined`", required=True, example="awarded"),
    F("share", T("amount"), "when the source gives it as a share of the project cost: the percentage", example="50"),
    *MONEY.fields,
)

FACT = obj(
    F("label", TEXT, "what is counted or measured", required=True, example="rented standard workshops"),
    F("value", T("amount"), "the number", required=True, example="25000"),
    F("value_high", T("amount"), "upper end of a range", example="56"),
    F("unit", TEXT, "unit, written out or as a symbol; empty for a plain count", example="m²"),
    F("qualifier", T("choice", QUALIFIERS), "how exact the source is (default `exact`)", example="about"),
    F("currency", T("currency"), "for money facts: the ISO 4217 currency (then leave `unit` empty)", example="CNY"),
    F("phase", T("ref", "phases"), "the phase this fact belongs to", example="phase-1"),
    F("as_reported", TEXT, "the figure exactly as the source wrote it, when it differs", example='"60 lakh chips per day"'),
    *CLAIM,
)

EVENT = obj(
    F("date", T("date"), "when, at the precision the source gives; leave it out only with `undated: true`",
      example="2020-07-05", usual=True),
    F("undated", T("bool"), "`true` for an event the sources do not date: it keeps its place in the list (write "
      "events in the order they happened) and stays off the timeline", example="true"),
    F(
        "date_qualifier",
        T("choice", DATE_QUALIFIERS),
        "`by` for deadlines, `about`, `early`, `mid`, `late`…",
        example="by",
    ),
    F("type", T("term", "event_types"), "what kind of milestone", required=True, example="signed"),
    F(
        "planned",
        T("bool"),
        "`true` for a milestone that was planned or targeted, not (yet) seen to happen",
        example="false",
    ),
    F("text", TEXT, "one sentence on what happened or is planned", required=True),
    F("phase", T("ref", "phases"), "the phase this milestone belongs to", example="phase-1"),
    F("investment", MONEY, "for `revised` or `funding` events: the amount stated at this date"),
    *CLAIM,
)

PHASE = obj(
    F("id", T("slug"), "short id, used by events and facts", required=True, example="phase-1"),
    F("name", TEXT, "name as shown", required=True, example="Phase 1"),
    F("investment", MONEY, "the phase's investment"),
    F("scope", MD, "what the phase includes"),
    F("start", T("date"), "planned or actual start"),
    F("target", T("date"), "planned completion or production date"),
    *CLAIM,
)

PARTY = obj(
    F("name", TEXT, "correct name", required=True, example="Dongguan Tianyou Semiconductor Ltd."),
    F("role", T("term", "party_roles"), "part played in the project", required=True, example="investor"),
    F("parent", TEXT, "parent company or group"),
    F("name_local", TEXT, "name in the local script", example="天域半导体"),
    F(
        "as_reported",
        TEXT,
        "the spelling a source used when it differs from `name`",
        example="Dogguang Tianyou Semiconductor Ltd.",
    ),
    F("unknown", T("bool"), "`true` when the sources do not name this party (then `name` says what is missing)"),
    *CLAIM,
)

LOCATION = obj(
    F("country", T("country"), "ISO 3166-1 alpha-2 country code", required=True, example="CN"),
    F("region", T("region"), "ISO 3166-2 code of the province or state; must belong to the country", example="CN-ZJ"),
    F("other_regions", listof(T("region")), "further ISO 3166-2 codes when the project spans several provinces or "
      "states (`region` holds the first); it counts in each region's totals", example="[MY-02]"),
    F("region_as_reported", TEXT, "the region's name as a source spelt it, when misspelt", example="Xheijian"),
    F("city", TEXT, "city or prefecture", example="Jiaxing"),
    F("district", TEXT, "district or county", example="Nanhu District"),
    F("site", TEXT, "industrial park or site", example="Jiaxing Technology City"),
    F("local", TEXT, "place names in the local script", example="嘉兴科技城"),
    F("coordinates", obj(
        F("lat", T("coordinate", 90), "latitude, north positive", required=True, example="30.7522"),
        F("lon", T("coordinate", 180), "longitude, east positive", required=True, example="120.7585"),
        F("precision", T("choice", PRECISIONS), "what the point marks: the `site` itself, the `town`, or the "
          "`region` (its centre)", required=True, example="town"),
        F("gazetteer", TEXT, "for a point taken from a gazetteer, not a source: its entry (then `derived: true`)",
          example="GeoNames 1805953"),
        *CLAIM,
    ), "where the project is on a map; cite a source that gives the point, or mark it `derived` with its gazetteer entry"),
    *CLAIM,
)

ITEM = obj(
    F("name", TEXT, "the product, market or claim", required=True),
    F("as_reported", TEXT, "the wording a source used when it misspelt a name"),
    *CLAIM,
)
TECH = obj(F("term", T("term", "technologies"), "technology term", required=True), *CLAIM)

SOURCE = obj(
    F("id", T("slug"), "short id cited by `sources:` lists above", required=True, example="s1"),
    F("title", TEXT, "headline or title", required=True),
    F("publisher", TEXT, "who published it", required=True),
    F("url", T("url"), "https (or http) address; leave it out for print or paywalled sources and give `locator`",
      usual=True),
    F("locator", TEXT, "where to find a source without an address: print edition and page, archive, ISBN",
      example="print edition, p. 3"),
    F("date", T("date"), "publication date, at the precision shown"),
    F("note", TEXT, "what this source is used for, or its provenance"),
)

STATUS = obj(
    F(
        "value",
        T("term", "statuses"),
        "current status; see the evidence rules on the methodology page",
        required=True,
        example="signed",
    ),
    F("as_of", T("date"), "when the status was last seen in a source", example="2020-07"),
    *CLAIM,
)

RELATED = obj(
    F("id", T("slug"), "id of the other record", required=True),
    F("relation", TEXT, "how the two relate", required=True, example="same plant, renamed"),
)

FIELDS: tuple[Field, ...] = (
    F(
        "id",
        T("slug"),
        "unique id; must equal the file name without `.yaml`",
        required=True,
        example="jiaxing-ic-packaging-mems",
    ),
    F("title", TEXT, "project name in English", required=True),
    F("title_local", TEXT, "project name in the local script"),
    F("summary", MD, "two or three sentences for the top of the page", required=True),
    F("status", STATUS, "status with its evidence", required=True),
    F(
        "segments",
        listof(T("term", "segments")),
        "what the plant does (at least one)",
        required=True,
        example="[ic-advanced-packaging, mems]",
    ),
    F("location", LOCATION, "where the plant is", required=True),
    F("parties", listof(PARTY), "companies and governments involved (at least one)", required=True),
    F(
        "investment",
        MONEY,
        "headline total investment (use amount `undisclosed` or `unknown` when there is none)",
        required=True,
    ),
    F("support", listof(SUPPORT), "public support, one entry per grant, loan, tax credit, equity stake or incentive "
      "and stage; kept apart from the investment total and never added to it"),
    F("phases", listof(PHASE), "phases in order"),
    F("facts", listof(FACT), "quantities: area, lines, jobs, capacity, equipment spend…"),
    F("events", listof(EVENT), "dated milestones, planned and happened", required=True),
    F("products", listof(ITEM), "what the plant makes"),
    F("technologies", listof(TECH), "process technologies"),
    F("markets", listof(ITEM), "where or to whom output is sold"),
    F("strategy", ITEM, "stated strategy, in the source's words where possible"),
    F("notes", MD, "anything else readers should know, including what is unknown"),
    F("related", listof(RELATED), "other records about the same plant or programme"),
    F("sources", listof(SOURCE), "every source this record cites (at least one)", required=True),
)

# The other files in content/, checked by the same machinery.
TERM = obj(
    F("term", T("slug"), "the term as records write it", required=True),
    F("label", TEXT, "how the site shows it", required=True),
    F("definition", TEXT, "one line shown on the methodology page", required=True),
    F("evidence", TEXT, "for statuses: what a source must show before a record may use it"),
)
VOCAB_NAMES = ("statuses", "segments", "technologies", "event_types", "party_roles")
VOCAB_FILE = obj(
    *(F(name, listof(TERM), f"the {name.replace('_', ' ')} records may use", required=True) for name in VOCAB_NAMES)
)

FX_FILE = obj(
    F("sources", listof(SOURCE), "where the rates come from", required=True),
    F(
        "rates",
        listof(
            obj(
                F("currency", T("currency"), "ISO 4217 code", required=True),
                F("year", T("year"), "calendar year of the average", required=True),
                F("rate", T("amount"), "units of the currency per 1 US dollar (yearly average)", required=True),
                F("source", T("ref", "sources"), "id of the source of this rate", required=True),
            )
        ),
        "yearly average rates to USD",
        required=True,
    ),
)

SITE_FILE = obj(
    F("title", TEXT, "site name", required=True),
    F("description", TEXT, "one sentence on what the site covers", required=True),
    F("as_of", T("date"), "the date the data is current to; drives 'overdue' flags (never the clock)", required=True),
    F("repo_url", T("url"), "the repository, for 'edit this record' links", required=True),
    F("branch", T("branch"), "branch that edit links point to", required=True),
    F("site_url", T("url"), "published address, for canonical links and the feed"),
    F("licence", TEXT, "data licence", required=True),
    F("history", T("bool"), "`true` to read each record's history from the git repository: 'last updated', a History "
      "section on project pages, the Recent changes page and feed, changes.csv"),
    F("stale_after_months", T("amount"), "a status or amount last confirmed more than this many months before "
      "`as_of` is marked 'may be out of date' (default 18)", example="18"),
)

FIELDS_TYPE = obj(*FIELDS)
