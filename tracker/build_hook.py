"""MkDocs hook used by `build.py build` on more than one core. It only moves work between cores; no
generator logic lives here, and nothing depends on it: without it (another generator, or one core)
the docs tree is rendered before MkDocs starts and audit_site parses every page after the build.

- tracker/stream.py renders pages while MkDocs reads them: wait until the page about to be read, and
  before the static files are copied, everything, has been written;
- tracker/audit.py audits pages on another core: hand it each page MkDocs has finished.

Only events MkDocs 1.6 documents without deprecation are used: on_pre_page runs right before MkDocs reads
the page's source (mkdocs.commands.build._populate_page), so waiting there never changes what it reads.
"""

from tracker.audit import Live
from tracker.stream import Stream


def on_pre_page(page, config, files, **kwargs):
    stream = Stream.current
    if stream is not None:
        stream.wait_for(page.file.src_uri)
    return page  # MkDocs then reads the file itself


def on_env(env, config, files, **kwargs):  # after every page was read, before static files are copied
    stream = Stream.current
    if stream is not None:
        stream.finish()
    return env


def on_post_page(output, page, config, **kwargs):
    live = Live.current
    if live is not None:
        live.submit(page.file.dest_uri, output)
    return output
