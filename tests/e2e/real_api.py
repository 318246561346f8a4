"""Serve the real API: the trained bundle and the feature store of the test session, demo users in a fresh database.

``python -m tests.e2e.real_api --port 8765 --bundle DIR --store DIR --database-url sqlite:///tmp/x.db``. Users:
``conseiller`` / ``conseiller-demo`` (advisor) and ``client-<id>`` / ``client-demo`` for the first ``--clients`` known
client ids of the store.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pyarrow.parquet as pq
import uvicorn

from credit_scoring.api import create_app
from credit_scoring.config import Settings
from credit_scoring.storage import make_engine, make_session_factory, upgrade_database
from credit_scoring.storage.users import create_demo_users

SECRET = "e2e-secret-key-0123456789-abcdefghijklmnop"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=args.database_url,
        secret_key=SECRET,
        environment="test",
        model=str(args.bundle),
        feature_store_dir=args.store,
        models_dir=args.bundle.parent,
    )
    upgrade_database(settings.database_url)
    ids = sorted(pq.read_table(args.store / "applications.parquet", columns=["SK_ID_CURR"]).column(0).to_pylist())
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        create_demo_users(session, settings, ids[: args.clients])
    engine.dispose()
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
