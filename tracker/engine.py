"""The static-site engine that turns the rendered docs tree into HTML: everything here knows it is MkDocs.

The tracker writes a plain MkDocs docs tree (Markdown pages whose data-bearing parts are HTML blocks) and
customises the theme only through overrides/main.html's blocks and the stylesheet, so any engine that reads
mkdocs.yml can build it. Two do today: MkDocs 1.6 (the default) and ProperDocs, its maintained continuation
(the same API under another name; tests/test_engine.py builds the site with both and compares every page).
Choose with TRACKER_ENGINE=mkdocs|properdocs.

Only MkDocs `streams`: tracker/build_hook.py lets it read pages while another core renders them, and hands
each finished page to the live audit. Any other engine gets the whole docs tree written first.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from pathlib import Path

from .errors import BuildFailed, TrackerError

ENV = "TRACKER_ENGINE"


@dataclasses.dataclass(frozen=True)
class Engine:
    name: str  # the Python package: mkdocs or properdocs
    streams: bool  # reads pages while they are rendered (tracker/build_hook.py), and audits them as it goes
    install: str  # what to install when it is missing

    def build(self, docs_dir: Path, site_dir: Path, config_file: Path, site_url: str | None = None,
              hooks: list[str] | None = None) -> None:
        """A strict build of the rendered tree into site_dir; a failure raises BuildFailed."""
        try:
            exceptions = importlib.import_module(f"{self.name}.exceptions")
            build = importlib.import_module(f"{self.name}.commands.build").build
            load_config = importlib.import_module(f"{self.name}.config").load_config
        except ImportError:
            raise TrackerError(f"the {self.name} engine is not installed: {self.install}") from None
        extra: dict = {"site_url": site_url} if site_url else {}  # canonical links when the site has an address
        if hooks:
            extra["hooks"] = hooks
        try:
            cfg = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True, **extra)
            build(cfg)
        except exceptions.MkDocsException as exc:  # ProperDocs keeps MkDocs' exception names
            raise BuildFailed(f"{self.name} build failed: {exc}") from None


ENGINES = {
    "mkdocs": Engine("mkdocs", streams=True, install="run `make site` (it installs requirements.txt)"),
    "properdocs": Engine("properdocs", streams=False, install="pip install properdocs==1.6.7 (requirements-dev.txt)"),
}


def current() -> Engine:
    name = os.environ.get(ENV, "mkdocs")
    if name not in ENGINES:
        raise TrackerError(f"{ENV}={name!r} is not an engine the tracker knows; use one of {', '.join(ENGINES)}")
    return ENGINES[name]
