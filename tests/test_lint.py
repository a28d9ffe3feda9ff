"""Lint as a gate: the security rules hold for every line of the package, not only the lines tests reach."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "tracker"
RUFF = ROOT / ".venv" / "bin" / "ruff"


def sources() -> list[tuple[Path, str]]:
    return [(p, p.read_text(encoding="utf-8")) for p in sorted(PACKAGE.rglob("*.py"))]


def test_ruff_security_rules_pass():
    proc = subprocess.run([str(RUFF), "check", "--select", "S", "--no-cache", str(PACKAGE)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            yield node, f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")


UNSAFE_YAML = {"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}
UNSAFE_LOADERS = {"Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}


def test_no_unsafe_yaml_loading():
    found = []
    for path, text in sources():
        tree = ast.parse(text)
        assert "from yaml import" not in text, f"{path.name}: call yaml.<name> so this test can see it"
        for node, name in calls(tree):
            loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
            on_yaml = isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "yaml"
            if on_yaml and name in UNSAFE_YAML and not (isinstance(loader, ast.Attribute) and "Safe" in loader.attr):
                found.append(f"{path.name}:{node.lineno}: {name}( without a safe loader")
        for node in ast.walk(tree):  # any mention of a loader that builds Python objects
            if isinstance(node, ast.Attribute) and node.attr in UNSAFE_LOADERS and getattr(node.value, "id", "") == "yaml":
                found.append(f"{path.name}:{node.lineno}: yaml.{node.attr}")
        found += [f"{path.name}:{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1)
                  if "yaml.load(" in line and "SafeLoader" not in line]  # the plain grep, too
    assert found == []


def test_every_jinja_environment_autoescapes():
    envs = []
    for path, text in sources():
        for node, name in calls(ast.parse(text)):
            if name in ("Environment", "SandboxedEnvironment", "Template"):
                kw = {k.arg: k.value for k in node.keywords}
                auto = kw.get("autoescape")
                ok = auto is not None and not (isinstance(auto, ast.Constant) and not auto.value)
                envs.append((f"{path.name}:{node.lineno}", name, ok))
    assert envs, "no Jinja environment found: is this test still looking in the right place?"
    assert [e for e in envs if not e[2]] == []
    assert [e for e in envs if e[1] == "Template"] == []  # jinja2.Template(text) compiles text as a template


def test_record_text_is_never_compiled_as_a_template():
    found = [f"{path.name}:{n}" for path, text in sources() for n, line in enumerate(text.splitlines(), 1)
             if "from_string(" in line or ".compile_expression(" in line]
    assert found == []
