"""Undated events (record format v2): they keep their place on the project page and stay off the timeline."""

from __future__ import annotations

import csv
import io

import pytest

from tests.test_validate import MINIMAL, write
from tracker.content import load_content
from tracker.derive import in_order
from tracker.errors import ValidationFailed
from tracker.site import render_tree
from tracker.values import PDate

EVENTS = """\
  - {date: 2020-07-05, type: signed, text: Signed., sources: [s1]}
  - {undated: true, type: funding, text: A grant whose date no source gives., sources: [s1]}
  - {date: 2019, type: announced, text: Announced., sources: [s1]}
"""


def record(text: str) -> str:
    head, _, rest = MINIMAL.format(id="demo").partition("events:\n")
    return head + "events:\n" + text + rest[rest.index("\nsources:") + 1:]


def test_an_undated_event_keeps_its_place_and_stays_off_the_timeline(content):
    write(content, "demo", record(EVENTS))
    data, derived, pages = render_tree(content)
    page = pages["projects/demo.md"]
    order = [page.index(t) for t in ("Announced.", "Signed.", "A grant whose date")]
    assert order == sorted(order)  # by date, and the undated one after the event listed before it
    assert '<span class="tr-undated">date not known</span>' in page
    assert [e.text for e in derived.events if e.project == "demo"] == ["Signed.", "Announced."]
    rows = [r for r in csv.DictReader(io.StringIO(pages["data/events.csv"].decode("utf-8-sig"))) if r["project_id"] == "demo"]
    assert [(r["date"], r["precision"]) for r in rows] == [("2020-07-05", "day"), ("", "undated"), ("2019", "year")]


def test_in_order_sorts_by_date_and_keeps_undated_after_their_predecessor():
    d = lambda y: PDate(y)  # noqa: E731
    events = [{"date": d(2022), "n": 1}, {"n": 2}, {"date": d(2020), "n": 3}, {"n": 4}]
    assert [e["n"] for e in in_order(events)] == [3, 4, 1, 2]


@pytest.mark.parametrize("text, field, message", [
    ("  - {type: signed, text: Signed., sources: [s1]}\n", "events[0].date", "an event needs a date"),
    ("  - {date: 2020, undated: true, type: signed, text: Signed., sources: [s1]}\n", "events[0].undated",
     "an event with a date is not undated"),
])
def test_a_missing_date_must_be_declared(content, text, field, message):
    write(content, "demo", record(text))
    with pytest.raises(ValidationFailed) as exc:
        load_content(content)
    assert [(p.field, p.message) for p in exc.value.problems if p.path.endswith("demo.yaml")] == [(field, message)]
