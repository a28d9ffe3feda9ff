"""MkDocs hook used only by `build.py serve`: re-run the tracker pipeline before each rebuild.

No generator logic lives here; it calls tracker.serve.refresh (the same pipeline as `build`).
"""

from pathlib import Path

from tracker import serve


def on_pre_build(config, **kwargs):
    serve.refresh(Path(config.docs_dir))
