# Tỉnh Số — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := tinhso/core/static/vendor
PORT ?= 8000
PROVINCE ?= 38

.PHONY: demo test install static system-deps lint bench serve clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(STAMP) static

# Front-end packages come from the npm registry (pinned in package-lock.json) and are copied into static files.
$(VENDOR)/.built: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	touch $@

static: $(VENDOR)/.built

demo: install
	$(BIN)/tinhso demo --province $(PROVINCE) --port $(PORT)

serve: install
	$(BIN)/tinhso serve --port $(PORT)

# Debian packages the test suite needs: PostgreSQL (throwaway cluster) and Chromium (browser tests); poppler-utils
# (pdfsig checks signed documents, pdftotext extracts their text), libnss3-tools (pdfsig's trust store) and a font
# with Vietnamese glyphs for signature stamps.
system-deps:
	@missing=""; \
	test -x /usr/lib/postgresql/15/bin/initdb || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -x /usr/bin/pdfsig || missing="$$missing poppler-utils"; \
	test -x /usr/bin/certutil || missing="$$missing libnss3-tools"; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Cài đặt:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Thiếu gói hệ thống:$$missing — hãy cài đặt (apt-get install$$missing)"; exit 1; fi; \
	fi

lint: install
	$(BIN)/ruff check tinhso tests bench

test: install system-deps
	scripts/run-tests.sh

bench: install system-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	scripts/with-postgres.sh $(BIN)/python bench/run_all.py
	scripts/with-postgres.sh $(BIN)/python bench/bench_indicators.py
	scripts/with-postgres.sh $(BIN)/python bench/bench_payments.py
	scripts/with-postgres.sh $(BIN)/python bench/bench_gateway.py
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || true
	scripts/with-postgres.sh $(BIN)/python bench/bench_http.py
	scripts/with-postgres.sh $(BIN)/python bench/bench_opendata.py
	scripts/with-postgres.sh $(BIN)/python bench/bench_feedback.py
	scripts/with-postgres.sh $(BIN)/python bench/bench_catalogue.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
