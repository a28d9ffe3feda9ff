"""MkDocs hook used by `build.py build` on more than one core. It only moves work between cores; no
generator logic lives here, and nothing depends on it: without it (another generator, or one core)
the docs tree is rendered before MkDocs starts and audit_site parses every page after the build.

- tracker/stream.py renders pages while MkDocs reads them: wait until the page about to be read, and
  before the static files are copied, everything, has been written;
- tracker/audit.py audits pages on another core: hand it each page MkDocs has finished;
- tracker/search.py indexes pages for search while MkDocs builds the others: name the pages to come, hand
  over each page's content as soon as it is converted, say when all are read, and let it check each
  finished page against what it indexed.

Only events MkDocs 1.6 documents without deprecation are used: on_pre_page runs right before MkDocs reads
the page's source (mkdocs.commands.build._populate_page), so waiting there never changes what it reads.
"""

from tracker.audit import Live
from tracker.search import Indexer
from tracker.stream import Stream


def on_files(files, config, **kwargs):
    index = Indexer.current
    if index is not None:
        index.plan([f.dest_uri for f in files.documentation_pages()], config.theme["language"])
    return files


def on_pre_page(page, config, files, **kwargs):
    stream = Stream.current
    if stream is not None:
        stream.wait_for(page.file.src_uri)
    return page  # MkDocs then reads the file itself


def on_page_content(html, page, config, files, **kwargs):
    index = Indexer.current
    if index is not None:  # overrides/main.html: pages whose front matter says search: exclude: true are not searched
        search = page.meta.get("search")
        searched = not (isinstance(search, dict) and search.get("exclude"))
        index.read(page.file.dest_uri, html if searched else None, page.title or config.site_name)
    return html


def on_env(env, config, files, **kwargs):  # after every page was read, before static files are copied
    stream, index = Stream.current, Indexer.current
    if stream is not None:
        stream.finish()
    if index is not None:
        index.close()
    return env


def on_post_page(output, page, config, **kwargs):
    live = Live.current
    if live is not None:
        live.submit(page.file.dest_uri, output)
    index = Indexer.current
    if index is not None:
        index.check(page.file.dest_uri, output)
    return output
