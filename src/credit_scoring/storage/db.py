"""Engines, sessions and migrations. SQLite gets WAL mode (readers never block the writer) and a busy timeout so that
concurrent API workers wait for the write lock instead of failing."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["make_engine", "make_session_factory", "ping", "upgrade_database"]

logger = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses at most the last commits' fsync
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created so the default ``data/decisions.db`` just works."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Rows stay readable after commit: routes build their response from what they just committed.
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """Readiness: can a connection run a trivial query?"""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("database not reachable: %s", exc)
        return False
    return True


def upgrade_database(url: str | None = None, *, engine: Engine | None = None) -> None:
    """Bring the schema to the latest Alembic revision (idempotent). Run at API startup and by ``serve``."""
    if engine is None:
        if url is None:
            raise ValueError("upgrade_database needs a URL or an engine")
        engine = make_engine(url)
        owned = True
    else:
        owned = False
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if owned:
            engine.dispose()
    logger.info("decision log schema is up to date (%s)", engine.url.render_as_string(hide_password=True))
