"""MkDocs hook used only by `build.py serve`: re-run the tracker pipeline before each rebuild, show the
content's problems on every page, and remove the pages of deleted records after a dirty rebuild.

No generator logic lives here; it calls tracker.serve (the same pipeline as `build`).
"""

from pathlib import Path

from tracker import serve

_built: set[str] = set()


def on_pre_build(config, **kwargs):
    serve.refresh(Path(config.docs_dir))


def on_files(files, config, **kwargs):
    _built.clear()
    _built.update(f.dest_uri for f in files)
    return files


def on_post_page(output, page, config, **kwargs):
    head, sep, tail = output.rpartition("</body>")
    return head + serve.page_script(page.url) + sep + tail if sep else output


def on_post_build(config, **kwargs):
    serve.remove_stale(Path(config.site_dir), _built)
