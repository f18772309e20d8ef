# trajecttools: two commands on a fresh machine.
#   make demo   creates .venv, installs, builds a demo register and serves the dashboards; the
#               address is printed once every dashboard's preheated kernel is ready ("klaar")
#   make test   creates .venv, installs (Chromium too), lints, type-checks and runs every test
#               but the Binder build, on two pytest-xdist workers (WORKERS=2)
#   make test-all  the same and the slow builds: Binder (tests/test_binder.py: minutes,
#               packages from the index) and JupyterHub (marker hub); what CI runs
#   make hub    configurable-http-proxy (npm registry) for deploy/jupyterhub; test-all needs it

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= data/demo.db
SIZE   ?= 2000
SEED   ?= 1
PORT   ?= 8866
# pytest-xdist workers; a browser test module stays on one (its servers start once).
WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(WORKERS) --dist loadgroup

.PHONY: demo test test-all install lint typecheck chromium hub bench soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	# lifelines (the survival tests' reference) declares pandas<3: installed without its pin
	$(BIN)/pip install --quiet --no-deps "lifelines==0.30.3"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/trajecttools demo --size $(SIZE) --seed $(SEED) --db $(DB) --replace
	$(BIN)/trajecttools serve --db $(DB) --port $(PORT)

# Browser tests drive Debian's Chromium, PDF reports need Pango (WeasyPrint); nothing is
# downloaded but packages.
chromium:
	@{ command -v chromium >/dev/null 2>&1 && ls /usr/lib/*/libpangoft2-1.0.so.0 >/dev/null 2>&1; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core \
	    libpango-1.0-0 libpangoft2-1.0-0; }

# JupyterHub's proxy, from the npm registry, into deploy/jupyterhub/node_modules (npm ci: the
# versions of package-lock.json). Needs node >= 20 and npm.
HUB_DIR   := deploy/jupyterhub
HUB_PROXY := $(HUB_DIR)/node_modules/.bin/configurable-http-proxy

$(HUB_PROXY): $(HUB_DIR)/package.json $(HUB_DIR)/package-lock.json
	cd $(HUB_DIR) && npm ci --no-audit --no-fund
	touch $(HUB_PROXY)

hub: $(HUB_PROXY)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) chromium lint typecheck
	$(PYTEST) -m "not binder and not hub"

test-all: $(STAMP) chromium hub lint typecheck
	$(PYTEST)

bench: $(STAMP)
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

# A compressed meeting day (50 visits 15 s apart, kernels culled after 60 s idle; ~14 minutes).
soak: $(STAMP)
	$(BIN)/python benchmarks/soak_dashboard.py

clean:
	rm -rf $(VENV) data artifacts .pytest_cache .mypy_cache .ruff_cache
