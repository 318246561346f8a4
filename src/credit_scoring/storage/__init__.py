"""The decision log and the API's users: SQLAlchemy 2 models, Alembic migrations, and the functions that read and write
them. SQLite (WAL mode) by default, PostgreSQL when the URL says so; the API never writes SQL itself."""

from credit_scoring.storage.db import make_engine, make_session_factory, ping, upgrade_database
from credit_scoring.storage.models import ApiKey, Base, Decision, Override, User

__all__ = [
    "ApiKey",
    "Base",
    "Decision",
    "Override",
    "User",
    "make_engine",
    "make_session_factory",
    "ping",
    "upgrade_database",
]
