# The scoring API: `credit-scoring serve` (uvicorn) on port 8000. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t credit-scoring-api .
# The image holds no model and no data: mount a bundle folder and the feature store (docs/deployment.md).
FROM python:3.11-slim

# uv pinned to the Makefile's UV_VERSION (tests/unit/test_deploy.py checks they agree).
RUN pip install --no-cache-dir uv==0.13.9

ENV PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    PATH="/app/.venv/bin:$PATH"

WORKDIR /app

# Dependencies layer: only the lock decides it, so editing the code does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache

# The project itself (README.md: the package metadata names it), and the training profiles for training in place.
COPY README.md ./
COPY configs ./configs
COPY src ./src
RUN uv sync --frozen --no-dev --no-cache

# Non-root. It may write only data/ (SQLite decision log without DATABASE_URL, monitoring reports), models/ and var/
# (the mount point of Render's disk).
RUN useradd --create-home --uid 10001 app \
    && mkdir -p data/features data/monitoring models var \
    && chown app:app data data/monitoring models var
USER 10001

ENV CREDIT_SCORING_API_HOST=0.0.0.0 \
    CREDIT_SCORING_API_PORT=8000 \
    CREDIT_SCORING_MODELS_DIR=/app/models \
    CREDIT_SCORING_FEATURE_STORE_DIR=/app/data/features
EXPOSE 8000

# Healthy = ready to score: a model is loaded and the database answers (/api/v1/ready, 503 otherwise). The long start
# period covers the model load, which scores every known client once (minutes on the full data set).
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['CREDIT_SCORING_API_PORT'] + '/api/v1/ready', timeout=4)"]

# uvicorn runs in this process (PID 1) and handles SIGTERM: `docker stop` drains requests and exits cleanly.
CMD ["credit-scoring", "serve"]
