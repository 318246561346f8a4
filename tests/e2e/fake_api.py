"""Serve the API with the fake domain service (tests/api/fakes.py) and demo users, for the browser tests and the bench.

``python -m tests.e2e.fake_api --port 8765 --database-url sqlite:///tmp/x.db``. Users: ``conseiller`` /
``conseiller-demo`` (advisor) and ``client-<id>`` / ``client-demo`` for the first ``--clients`` ids.
"""

from __future__ import annotations

import argparse
import logging

import uvicorn

from credit_scoring.api import create_app
from credit_scoring.config import Settings
from credit_scoring.storage import make_engine, make_session_factory, upgrade_database
from credit_scoring.storage.users import create_demo_users
from tests.api.fakes import FIRST_ID, FakeService

SECRET = "e2e-secret-key-0123456789-abcdefghijklmnop"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=args.database_url, secret_key=SECRET, environment="test"
    )
    upgrade_database(settings.database_url)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        create_demo_users(session, settings, [FIRST_ID + i for i in range(args.clients)])
    engine.dispose()
    app = create_app(settings, service=FakeService())
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
