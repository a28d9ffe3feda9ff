"""Public support (record format v2): its own entries, tables and download, never added to investment."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal

from tests.conftest import CONTENT
from tracker.derive import to_usd
from tracker.site import render_tree


def test_support_is_summarised_by_programme_and_never_added_to_investment():
    data, derived, pages = render_tree(CONTENT)
    converted = [derived.usd[r["id"]].value for r in data.records if derived.usd[r["id"]].converted]
    assert derived.total.usd == sum(converted, Decimal(0))  # the investment total holds investments only
    chips = next(g for g in derived.support["programme"] if g.key == "CHIPS incentives")
    assert chips.usd == {"awarded or disbursed": Decimal(407_000_000), "declined": Decimal(200_000_000)}
    ism = next(g for g in derived.support["programme"] if g.key == "India Semiconductor Mission")
    assert ism.projects == ["kaynes-semicon-sanand-gujarat", "micron-sanand-gujarat"] and ism.shares == 1
    page = pages["summary.md"]
    row = re.search(r"<tr><th scope=\"row\" class=\"tr-col-main\">CHIPS incentives</th>.*?</tr>", page).group(0)
    cells = [html.unescape(c) for c in re.findall(r'<td class="tr-num">(.*?)</td>', row)]  # "up to": approximate
    assert cells == ["1", "≈ US$407 million", "—", "US$200 million", "—"], cells


def test_project_page_lists_each_entry_with_its_stage_and_source():
    page = render_tree(CONTENT)[2]["projects/amkor-peoria-arizona.md"]
    table = re.search(r'<h2 id="support">.*?</table>', page, re.S).group(0)
    assert table.count('<tr><th scope="row"') == 3
    assert "declined, 20 December 2024" in table and "25% of the cost" in table and "U.S. Department of the Treasury" in table
    assert 'href="#source-einpresswire-2024-12"' in table


def test_support_csv_has_every_entry_in_us_dollars():
    data, _, pages = render_tree(CONTENT)
    rows = list(csv.DictReader(io.StringIO(pages["data/support.csv"].decode("utf-8-sig"))))
    entries = [(r, s) for r in data.records for s in r.get("support") or []]
    assert len(rows) == len(entries) == 8
    loan = next(r for r in rows if r["kind"] == "loan")
    assert (loan["stage"], loan["amount_usd"], loan["sources"]) == ("declined", "200000000", "dcd-2024;abc15-2024-12-23")
    kaynes = next(r for r in rows if r["project_id"].startswith("kaynes") and r["kind"] == "grant")
    rec = next(r for r in data.records if r["id"] == "kaynes-semicon-sanand-gujarat")
    assert kaynes["amount_usd"] == str(to_usd(rec["support"][0], rec, data.fx).value)  # at the 2024 INR rate
