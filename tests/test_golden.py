"""The rendered docs tree for the fixture dataset equals the committed golden tree, file for file."""

from tests.golden import GOLDEN, render


def test_docs_tree_matches_golden():
    pages = render()
    committed = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert committed == set(pages), "page set changed: run `make golden` and review the diff"
    for rel, data in sorted(pages.items()):
        assert (GOLDEN / rel).read_bytes() == data, f"{rel} differs: run `make golden` and review the diff"
