#!/bin/sh
# Start the dashboard as `credit-scoring dashboard` does (same folder, so Streamlit reads the package's
# .streamlit/config.toml), but exec Streamlit so that it is the container's PID 1 and gets SIGTERM on `docker stop`
# (`credit-scoring dashboard` runs it as a child, which PID 1 would never pass the signal to).
set -eu

# Render's `fromService: property: hostport` hands out "host:port" without a scheme: the API speaks plain HTTP inside
# the private network, so add it.
case "${CREDIT_SCORING_DASHBOARD_API_URL:-}" in
  *://*) ;;
  ?*) CREDIT_SCORING_DASHBOARD_API_URL="http://${CREDIT_SCORING_DASHBOARD_API_URL}" ;;
esac
export CREDIT_SCORING_DASHBOARD_API_URL

cd "$(python -c 'import credit_scoring.dashboard.launch as m; print(m.APP_PATH.parent)')"
exec python -m streamlit run app.py \
  --server.address "${CREDIT_SCORING_DASHBOARD_HOST:-0.0.0.0}" \
  --server.port "${CREDIT_SCORING_DASHBOARD_PORT:-8501}" \
  --server.headless true \
  --browser.gatherUsageStats false
