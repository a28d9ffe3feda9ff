"""The static-site engine that turns the rendered docs tree into HTML: everything here knows it is MkDocs.

Building, serving with live reload, and the theme's script list (what the audit allows) are here; the hooks
(tracker/build_hook.py, tracker/mkdocs_hook.py) use only MkDocs' documented events.

The tracker writes a plain MkDocs docs tree (Markdown pages whose data-bearing parts are HTML blocks) and
customises the theme only through overrides/main.html's blocks and the stylesheet, so any engine that reads
mkdocs.yml can build it. Two do today: MkDocs 1.6 (the default) and ProperDocs, its maintained continuation
(the same API under another name; tests/test_engine.py builds the site with both and compares every page).
Choose with TRACKER_ENGINE=mkdocs|properdocs.

Only MkDocs `streams`: tracker/build_hook.py lets it read pages while another core renders them, hands
each page's content to the search index as it is converted, and each finished page to the live audit.
Any other engine gets the whole docs tree written first, and the site indexed once it is built.
"""

from __future__ import annotations

import calendar
import dataclasses
import importlib
import logging
import os
from pathlib import Path

from .errors import BuildFailed, TrackerError

ENV = "TRACKER_ENGINE"
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"  # the reproducible-builds convention, which MkDocs follows
BUILD_HOOK = str(Path(__file__).with_name("build_hook.py"))  # streaming and the live audit, in `build`
SERVE_HOOK = str(Path(__file__).with_name("mkdocs_hook.py"))  # the pipeline before each rebuild, in `serve`


@dataclasses.dataclass(frozen=True)
class Engine:
    name: str  # the Python package: mkdocs or properdocs
    streams: bool  # reads pages while they are rendered (tracker/build_hook.py), and audits them as it goes
    install: str  # what to install when it is missing

    def _module(self, name: str):
        try:
            return importlib.import_module(f"{self.name}.{name}")
        except ImportError:
            raise TrackerError(f"the {self.name} engine is not installed: {self.install}") from None

    def build(self, docs_dir: Path, site_dir: Path, config_file: Path, site_url: str | None = None,
              stream: bool = False, as_of: tuple[int, int, int] | None = None) -> None:
        """A strict build of the rendered tree into site_dir; a failure raises BuildFailed. With stream (only
        for an engine that `streams`), pages are read as tracker.stream renders them and handed to the live
        audit (tracker/build_hook.py). The engine dates the build (the sitemap, and its gzip header) by
        SOURCE_DATE_EPOCH, else by today: the data's as_of date is given, so that the same commit builds the
        same bytes on any day (unless SOURCE_DATE_EPOCH is set already)."""
        exceptions, build = self._module("exceptions"), self._module("commands.build").build
        load_config = self._module("config").load_config
        extra: dict = {"site_url": site_url} if site_url else {}  # canonical links when the site has an address
        if stream:
            extra["hooks"] = [BUILD_HOOK]
        epoch = os.environ.get(SOURCE_DATE_EPOCH)
        if as_of and epoch is None:
            os.environ[SOURCE_DATE_EPOCH] = str(calendar.timegm((*as_of, 0, 0, 0)))
        try:
            cfg = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True, **extra)
            build(cfg)
        except exceptions.MkDocsException as exc:  # ProperDocs keeps MkDocs' exception names
            raise BuildFailed(f"{self.name} build failed: {exc}") from None
        finally:
            if epoch is None:
                os.environ.pop(SOURCE_DATE_EPOCH, None)

    def serve(self, docs_dir: Path, config_file: Path, watch: list[Path], addr: str) -> None:
        """Serve docs_dir with live reload, rebuilding in dirty mode (only changed pages) until interrupted."""
        serve = self._module("commands.serve").serve
        for name in ("", ".commands.build", ".commands.serve"):
            logging.getLogger(self.name + name).addFilter(_QuietDirtyBuild())
        serve(config_file=str(config_file), build_type="dirty", watch=[str(w) for w in watch], docs_dir=str(docs_dir),
              dev_addr=addr, hooks=[SERVE_HOOK], strict=False)


class _QuietDirtyBuild(logging.Filter):
    """MkDocs warns that a dirty build may give inaccurate navigation on every refresh. The tracker's
    navigation is fixed in mkdocs.yml and every page that lists others is rewritten on each refresh, so the
    warning says nothing here: drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "dirty" not in record.getMessage().lower()


def theme_scripts() -> set[str]:
    """Script files the theme (Material for MkDocs) and our own docs/assets ship, as paths in the site."""
    import material

    base = Path(material.__file__).parent / "templates" / "assets" / "javascripts"
    names = {str(p.relative_to(base.parent.parent)) for p in base.rglob("*.js")}
    return names | {"assets/tracker.js"}


ENGINES = {
    "mkdocs": Engine("mkdocs", streams=True, install="run `make site` (it installs requirements.txt)"),
    "properdocs": Engine("properdocs", streams=False, install="pip install properdocs==1.6.7 (requirements-dev.txt)"),
}


def current() -> Engine:
    name = os.environ.get(ENV, "mkdocs")
    if name not in ENGINES:
        raise TrackerError(f"{ENV}={name!r} is not an engine the tracker knows; use one of {', '.join(ENGINES)}")
    return ENGINES[name]
