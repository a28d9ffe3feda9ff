"""MkDocs hook used by `build.py build`: hand each finished page to the live audit (tracker/audit.py).

No generator logic lives here, and nothing depends on it: without this hook (another generator, or
one core) audit_site parses every page after the build instead."""

from tracker.audit import Live


def on_post_page(output, page, config, **kwargs):
    live = Live.current
    if live is not None:
        live.submit(page.file.dest_uri, output)
    return output
