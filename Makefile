# Credit scoring for Prêt à dépenser. `make help` lists the targets.
# Needs only Python 3.11 and make: uv (pinned) is bootstrapped into .uv/, the project into .venv/ from uv.lock.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
UV_VERSION := 0.13.9
UV := .uv/bin/uv
RUN := $(UV) run --frozen --no-sync
DEMO_CLIENTS ?= 20000
DATA_DIR ?= data
CHECKED := src tests bench scripts
# The demo's services and reports follow DATA_DIR (the settings' defaults are data/...).
DEMO_ENV = CREDIT_SCORING_FEATURE_STORE_DIR=$(DATA_DIR)/features CREDIT_SCORING_MONITORING_DIR=$(DATA_DIR)/monitoring

.DEFAULT_GOAL := help
.PHONY: help install lint format test demo demo-data demo-model bench bench-quick clean mlflow-ui

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed: set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	@touch $@

install: .venv/.synced ## Create .venv with the locked dependencies (dev tools included)

lint: install ## ruff (lint and format check), mypy on src, hadolint on the Dockerfiles
	$(RUN) ruff check $(CHECKED)
	$(RUN) ruff format --check $(CHECKED)
	$(RUN) mypy src
	$(RUN) hadolint docker/api.Dockerfile docker/dashboard.Dockerfile

format: install ## Apply ruff's fixes and formatting
	$(RUN) ruff check --fix $(CHECKED)
	$(RUN) ruff format $(CHECKED)

test: lint ## Lint, type-check, then run the whole test suite
	$(RUN) pytest

demo-data: install ## Demo tables: the real Kaggle files if they are in data/raw (CSVs or the zip), otherwise synthetic ones
	@if ls $(DATA_DIR)/raw/application_train.csv* >/dev/null 2>&1; then src=$(DATA_DIR)/raw; \
	else src=$$(ls $(DATA_DIR)/raw/*.zip 2>/dev/null | head -n 1); fi; \
	if [ -n "$$src" ]; then \
		if [ ! -f $(DATA_DIR)/tables/ingest_report.json ]; then \
			echo "Kaggle files found in $$src: ingesting them"; \
			$(RUN) credit-scoring data ingest $$src --out $(DATA_DIR)/tables; fi; \
	elif [ ! -f $(DATA_DIR)/tables/generator.json ]; then \
		$(RUN) credit-scoring data synth --clients $(DEMO_CLIENTS) --seed 42 --out $(DATA_DIR)/tables; \
	else echo "$(DATA_DIR)/tables already holds the demo data"; fi

demo-model: demo-data ## Feature store, model (registered and promoted to champion) and demo users
	@[ -f $(DATA_DIR)/features/manifest.json ] || $(RUN) credit-scoring features build --data $(DATA_DIR)/tables --out $(DATA_DIR)/features
	@if ! ls models/*/metadata.json >/dev/null 2>&1; then \
		if [ -f $(DATA_DIR)/tables/ingest_report.json ]; then \
			echo "Real data: training with the quick profile (configs/train-quick.yaml, about 15 minutes on 2 cores)"; \
			$(RUN) credit-scoring train --features $(DATA_DIR)/features --out models --config configs/train-quick.yaml; \
		else $(RUN) credit-scoring train --features $(DATA_DIR)/features --out models --config configs/train.yaml; fi; \
		$(RUN) credit-scoring models promote; fi
	@$(DEMO_ENV) $(RUN) credit-scoring models prepare
	@if [ ! -f $(DATA_DIR)/monitoring/model_card.json ]; then \
		$(DEMO_ENV) $(RUN) credit-scoring monitor drift || [ $$? -eq 3 ]; \
		$(DEMO_ENV) $(RUN) credit-scoring monitor fairness && $(DEMO_ENV) $(RUN) credit-scoring monitor card; fi
	@$(RUN) credit-scoring users demo --clients 3

demo: demo-model ## Install, build data, features and model, then start the API and the dashboard (Ctrl-C stops both)
	@echo "Demo logins: advisor 'conseiller' / 'conseiller-demo'; clients 'client-<id>' (listed above) / 'client-demo'"
	@$(DEMO_ENV) $(RUN) credit-scoring up

bench: install ## Full-scale benchmarks (synthetic 307,511 clients; needs ~10 GB of disk and several minutes)
	$(RUN) python bench/synth.py --out $(DATA_DIR)/bench/synth-full
	$(RUN) python bench/synth.py --out $(DATA_DIR)/bench/synth-full-csv --format csv
	$(RUN) python bench/ingest.py $(DATA_DIR)/bench/synth-full-csv --out $(DATA_DIR)/bench/ingested

bench-quick: install ## The same benchmarks at 1/10 scale
	$(RUN) python bench/synth.py --clients 30751 --out $(DATA_DIR)/bench/synth-small --format csv
	$(RUN) python bench/ingest.py $(DATA_DIR)/bench/synth-small --out $(DATA_DIR)/bench/ingested-small

clean: ## Remove environments, caches and generated data (keeps data/raw)
	rm -rf .venv .uv .mypy_cache .ruff_cache .pytest_cache $(DATA_DIR)/tables $(DATA_DIR)/features $(DATA_DIR)/bench models mlruns mlflow.db

mlflow-ui: install ## Open the MLflow tracking UI on the local store (http://127.0.0.1:5000)
	$(RUN) mlflow ui --backend-store-uri sqlite:///mlflow.db --host 127.0.0.1 --port 5000
