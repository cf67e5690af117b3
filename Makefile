# 扶贫督查看板 — two commands for a fresh machine with Python 3.11+:
#   make run    set up .venv, build the demo county if there is no database, start the dashboard
#               (make run DEMO=0: no demo; the start page then takes the county's own uploads)
#   make test   set up .venv (and the headless browser and nginx for end-to-end tests), run every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PORT   ?= 8501
DEMO   ?= 1

.PHONY: run test setup demo browser nginx lint docs bundle bench bench-l bench-n screenshots

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	@# a .venv without pip is what Debian's `python3 -m venv` leaves when python3-venv is missing: made again
	@# (after `apt install python3-venv`), or every later run failed with "No module named pip"
	$(PY) -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(PY) -m etl demo

run: $(STAMP)
	@# DEMO=0: no demo county; with no database the start page takes the county's own uploads
	@test -e data/fupin.duckdb || test "$(DEMO)" = 0 || $(PY) -m etl demo
	@test ! -e data/fupin.duckdb || $(PY) -m etl refresh --if-stale
	$(PY) -m ui.serve --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

browser:
	bash scripts/install-browser.sh

# Debian's nginx for the replica test (tests/test_replicas.py) and deploy/
nginx:
	bash scripts/install-nginx.sh

test: $(STAMP) browser nginx
	FUPIN_E2E_REQUIRED=1 $(PY) -m pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# the user guide's pictures (docs/img/*.png): every page of the demo county, in chromium
screenshots: $(STAMP) browser
	$(PY) scripts/screenshots.py --guide docs/img

# the offline bundle: dist/fupin-dashboard-<version>-py<X.Y>-<platform>.tar.gz (app, wheels, demo files,
# install.sh); wheels cached in .venv/wheel-cache
bundle: $(STAMP)
	$(PY) scripts/bundle.py --out dist

# docs/DATA.md, the data contract, from the loader's own header, code and table definitions
docs: $(STAMP)
	$(PY) -m etl.docs

bench: $(STAMP)
	$(PY) -m bench --sizes S,M

bench-l: $(STAMP)
	$(PY) -m bench --sizes S,M,L

# national scale (33M households, ~99M members): ~8 GB of .csv.gz, ~45 GB of disk while loading
bench-n: $(STAMP)
	FUPIN_ETL_MEMORY=8GB $(PY) -m bench --sizes N --gzip --no-pandas --phases etl,queries,extract,pages --runs 10 --budget 1
