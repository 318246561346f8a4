"""Alembic environment. The API passes its connection in ``config.attributes``; the ``alembic`` command line falls back
to the URL from the settings (``CREDIT_SCORING_DATABASE_URL`` or ``DATABASE_URL``)."""

from __future__ import annotations

from alembic import context

from credit_scoring.config import get_settings
from credit_scoring.storage.db import make_engine
from credit_scoring.storage.models import Base

target_metadata = Base.metadata


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().database_url)
    with engine.begin() as own:
        context.configure(connection=own, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


_run()
