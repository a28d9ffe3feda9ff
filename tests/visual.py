"""Visual regression: screenshots of every page kind at phone and desktop width in both palettes, compared
with baselines committed under tests/visual/. The site is built from the golden fixture content
(tests/fixtures/content), so only a change to templates, styles or the theme moves a picture.

Regenerate deliberately after a change you have looked at, then review the new pictures:
    make baselines        (or: python -m tests.visual regenerate)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "content"
BASELINES = HERE / "visual"
PAGES = {
    "home": "",
    "projects": "projects/",
    "project": "projects/anyuan-tianyou-led-packaging/",
    "summary": "summary/",
    "timeline": "timeline/",
    "country": "browse/country/cn/",
    "record-format": "contributing/record-format/",
}
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")
HEIGHT = 2400  # the top of each page, where a change is most seen; kept at half size
PIXEL_DELTA = 40  # a channel differing by more than this counts as a changed pixel (anti-aliasing is less)
TOLERANCE = 0.005  # at most 0.5% of pixels may change


def name(page: str, width: int, scheme: str) -> str:
    return f"{page}-{width}-{scheme}.png"


def build_fixture_site(out: Path) -> Path:
    from tracker import site as site_mod

    site = out / "site"
    site_mod.build(FIXTURE, site)
    return site


def shoot(site: Path, out: Path) -> list[Path]:
    """Screenshot every page kind into out/ at half size; return the files."""
    from PIL import Image

    from tests.browser import chromium, serve

    out.mkdir(parents=True, exist_ok=True)
    files = []
    with serve(site) as url, chromium() as browser:
        for width in WIDTHS:
            for scheme in SCHEMES:
                context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                              reduced_motion="reduce")
                page = context.new_page()
                for kind, path in PAGES.items():
                    page.goto(url + path, wait_until="networkidle")
                    page.evaluate("document.fonts.ready")
                    full = out / f".{name(kind, width, scheme)}"
                    page.screenshot(path=str(full), full_page=True, animations="disabled", caret="hide")
                    with Image.open(full) as img:
                        top = img.crop((0, 0, img.width, min(img.height, HEIGHT))).convert("RGB")
                        top.resize((top.width // 2, top.height // 2), Image.Resampling.LANCZOS).save(
                            out / name(kind, width, scheme), optimize=True)
                    full.unlink()
                    files.append(out / name(kind, width, scheme))
                context.close()
    return files


def difference(a: Path, b: Path) -> tuple[float, object]:
    """Share of pixels that differ beyond PIXEL_DELTA, and an image marking them (None if sizes differ)."""
    from PIL import Image, ImageChops

    with Image.open(a) as x, Image.open(b) as y:
        if x.size != y.size:
            return 1.0, None
        diff = ImageChops.difference(x.convert("RGB"), y.convert("RGB"))
        mask = diff.convert("L").point(lambda v: 255 if v > PIXEL_DELTA else 0)
        changed = mask.histogram()[255]
        return changed / (x.width * x.height), mask


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = build_fixture_site(Path(tmp))
        for old in BASELINES.glob("*.png"):
            old.unlink()
        files = shoot(site, BASELINES)
    print(f"wrote {len(files)} baselines under {BASELINES.relative_to(Path.cwd())}; look at them, then commit")


if __name__ == "__main__":
    if sys.argv[1:] != ["regenerate"]:
        sys.exit("usage: python -m tests.visual regenerate")
    regenerate()
