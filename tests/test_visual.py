"""Every page kind looks as it did when its baseline was committed (tests/visual.py; `make baselines`)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tests.visual import BASELINES, PAGES, SCHEMES, TOLERANCE, WIDTHS, build_fixture_site, difference, name, shoot

OUT = ROOT / "test-output" / "visual"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    site = build_fixture_site(tmp_path_factory.mktemp("visual"))
    shoot(site, OUT)
    return OUT


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES)
def test_page_matches_its_baseline(shots, page, width, scheme):
    file = name(page, width, scheme)
    baseline = BASELINES / file
    assert baseline.exists(), f"no baseline {baseline}: run `make baselines`, look at the pictures, commit them"
    share, mask = difference(baseline, shots / file)
    if mask is not None and share > TOLERANCE:
        mask.save(shots / f"diff-{file}")
    assert share <= TOLERANCE, (f"{file}: {share:.2%} of pixels changed (tolerance {TOLERANCE:.1%}); see "
                                f"{shots / file} and diff-{file}; if the change is meant, run `make baselines`")


def test_comparison_sees_a_change(shots, tmp_path):
    """The comparison is live: a block of changed pixels is found, an identical image is not."""
    from PIL import Image, ImageDraw

    src = shots / name("summary", 1280, "light")
    with Image.open(src) as img:
        changed = img.convert("RGB")
        ImageDraw.Draw(changed).rectangle((0, 0, img.width // 5, img.height // 5), fill=(255, 0, 0))
        changed.save(tmp_path / "changed.png")
    assert difference(src, src)[0] == 0
    assert difference(src, tmp_path / "changed.png")[0] > TOLERANCE
