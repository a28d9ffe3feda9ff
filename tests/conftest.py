"""Shared fixtures: a copy of the bundled content to break, and helpers to write records."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEED = CONTENT / "projects" / "anyuan-tianyou-led-packaging.yaml"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of content/ with only the two seed records."""
    dst = tmp_path / "content"
    dst.mkdir()
    for name in ("site.yaml", "vocabularies.yaml", "fx.yaml"):
        shutil.copy(CONTENT / name, dst / name)
    (dst / "projects").mkdir()
    for name in ("anyuan-tianyou-led-packaging.yaml", "jiaxing-ic-packaging-mems.yaml"):
        shutil.copy(CONTENT / "projects" / name, dst / "projects" / name)
    return dst


@pytest.fixture(scope="session")
def bundled_site(tmp_path_factory) -> Path:
    """The bundled content built once per test run; tests only read it."""
    from tracker import site as site_mod

    site = tmp_path_factory.mktemp("bundled") / "site"
    site_mod.build(CONTENT, site)
    return site
