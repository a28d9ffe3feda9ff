"""`build.py locate` (tracker/locate.py) and the record format's coordinates and address-less sources."""

from __future__ import annotations

import re
import shutil

from tests.conftest import CONTENT
from tracker.cli import main
from tracker.site import render_tree

SEED = "jiaxing-ic-packaging-mems"


def test_the_bundled_records_are_what_locate_writes(tmp_path, capfd):
    """The migration: every record the gazetteer can place has its point, and running it again adds none."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    assert main(["--content", str(content), "locate", "--write"]) == 0
    assert "added coordinates for 0 record(s); 4 left without" in capfd.readouterr().err
    for path in (content / "projects").glob("*.yaml"):
        assert path.read_bytes() == (CONTENT / "projects" / path.name).read_bytes(), path.name


def test_locate_adds_a_derived_town_point_and_the_page_shows_it(content, capfd):
    path = content / "projects" / f"{SEED}.yaml"
    text = path.read_text()
    block = re.search(r"\n  coordinates:\n(    .*\n)+", text)
    path.write_text(text.replace(block.group(0), "\n"))
    assert main(["--content", str(content), "locate"]) == 0  # a dry run changes nothing
    assert "Jiaxing, GeoNames 1805953, 30.7522, 120.75" in capfd.readouterr().err
    assert "coordinates:" not in path.read_text()
    assert main(["--content", str(content), "locate", "--write"]) == 0
    assert path.read_text() == text  # the same block, in the same place
    page = render_tree(content)[2][f"projects/{SEED}.md"]
    assert ('<span class="tr-coords">30.7522° N, 120.75° E</span> <span class="tr-note">(the town; from GeoNames '
            '1805953, Jiaxing)</span>') in page


def test_a_source_without_an_address_is_cited_with_its_locator(content):
    path = content / "projects" / f"{SEED}.yaml"
    text = path.read_text()
    url = re.search(r"\n    url: (.*)\n", text)
    path.write_text(text.replace(url.group(0), "\n    locator: print edition, p. 3\n", 1))
    data, _, pages = render_tree(content)
    page = pages[f"projects/{SEED}.md"]
    assert ("&#8220;Advanced Packaging Projects Signed in Jiaxing and Jiangxi Provinces&#8221;, July 2020 "
            "(print edition, p. 3).") in page  # (pages are written with non-Latin-1 characters as references)
    assert url.group(1) not in page
    rows = pages["data/sources.csv"].decode("utf-8-sig")
    assert f"{SEED},kiterocket-2020-07,Kiterocket,Advanced Packaging Projects Signed in Jiaxing and Jiangxi Provinces,,print edition, p. 3" in rows.replace('"', "")
