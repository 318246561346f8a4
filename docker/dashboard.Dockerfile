# The dashboard: Streamlit on port 8501, talking to the API at CREDIT_SCORING_DASHBOARD_API_URL. Build from the root:
#   docker build -f docker/dashboard.Dockerfile -t credit-scoring-dashboard .
# The same locked dependencies as the API (one lock): simpler than a second dependency set, at the cost of image size.
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

# The project itself (README.md: the package metadata names it).
COPY README.md ./
COPY src ./src
RUN uv sync --frozen --no-dev --no-cache
COPY --chmod=0755 docker/dashboard-entrypoint.sh /usr/local/bin/dashboard-entrypoint

# Non-root, with a home folder: Streamlit keeps its per-user files there.
RUN useradd --create-home --uid 10001 app
USER 10001

ENV CREDIT_SCORING_DASHBOARD_HOST=0.0.0.0 \
    CREDIT_SCORING_DASHBOARD_PORT=8501 \
    CREDIT_SCORING_DASHBOARD_API_URL=http://api:8000
EXPOSE 8501

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['CREDIT_SCORING_DASHBOARD_PORT'] + '/_stcore/health', timeout=4)"]

# The entrypoint execs Streamlit, so Streamlit is PID 1 and receives `docker stop`'s SIGTERM itself.
CMD ["dashboard-entrypoint"]
