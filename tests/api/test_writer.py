"""The decision log's group commit (``DecisionWriter``) on SQLite and PostgreSQL: ids in order, rows durable before
the caller hears back, concurrent callers sharing a commit, a failed commit failing exactly its group."""

from __future__ import annotations

import asyncio
import fcntl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from credit_scoring.storage.db import make_engine, upgrade_database
from credit_scoring.storage.models import Decision
from credit_scoring.storage.writer import DecisionWriter, WriterClosedError, write_lock_path
from tests.api.conftest import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    made = make_engine(fresh_database(request.param, tmp_path_factory))
    upgrade_database(engine=made)
    yield made
    made.dispose()


def _row(client_id: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "actor": "advisor1",
        "actor_role": "advisor",
        "client_id": client_id,
        "model_version": "v1",
        "kind": "score",
        "inputs": {"AMT_CREDIT": 1000.0 + client_id},
        "probability": 0.25,
        "threshold": 0.4,
        "decision": "granted",
        "top_reasons": [{"feature": "EXT_SOURCE_3"}],
        "batch_id": None,
        "request_id": f"req-{client_id}",
    }
    return {**row, **changes}


def _client_of(engine: Engine, ids: list[int]) -> dict[int, int | None]:
    with engine.connect() as connection:
        rows = connection.execute(select(Decision.id, Decision.client_id).where(Decision.id.in_(ids))).all()
    return {int(i): c for i, c in rows}


def test_ids_come_back_in_order_and_the_rows_are_committed(engine: Engine) -> None:
    writer = DecisionWriter(engine)
    try:
        ids = writer.write([_row(1), _row(2), _row(3)])
        assert len(ids) == 3 and ids == sorted(ids)
        assert _client_of(engine, ids) == dict(zip(ids, [1, 2, 3], strict=True))  # readable from another connection
        assert writer.write([]) == []
    finally:
        writer.close()


def test_concurrent_callers_each_get_their_own_rows(engine: Engine) -> None:
    writer = DecisionWriter(engine)
    try:
        with ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda c: (c, writer.write([_row(c), _row(c + 10_000)])), range(200)))
        every_id = [i for _, ids in results for i in ids]
        assert len(set(every_id)) == 400
        stored = _client_of(engine, every_id)
        for client, (first, second) in results:
            assert stored[first] == client and stored[second] == client + 10_000
        assert writer.rows_written == 400 and writer.commits <= 200
    finally:
        writer.close()


def _hold_write_lock(engine: Engine, ready: threading.Event, release: threading.Event) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            connection.execute(text("LOCK TABLE decisions IN EXCLUSIVE MODE"))
        ready.set()
        release.wait(30)
        connection.rollback()


def test_callers_waiting_for_the_database_share_one_commit(engine: Engine) -> None:
    """While the log is locked by someone else, requests pile up; they are then written in one transaction."""
    writer = DecisionWriter(engine)
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(engine, ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        first = writer.submit([_row(0)])  # taken alone, then blocked on the lock
        waiting = [writer.submit([_row(c)]) for c in range(1, 51)]
        release.set()
        holder.join(10)
        all_ids = [first.result(30)[0]] + [f.result(30)[0] for f in waiting]
        assert len(set(all_ids)) == 51
        assert writer.commits <= 2  # 51 requests, at most two transactions
    finally:
        release.set()
        writer.close()


def test_a_failed_commit_fails_its_callers_and_the_writer_goes_on(engine: Engine) -> None:
    writer = DecisionWriter(engine)
    try:
        bad = writer.submit([_row(1, actor=None)])  # NOT NULL: the whole transaction is refused
        with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError, whichever the backend
            bad.result(30)
        ids = writer.write([_row(2)])
        assert _client_of(engine, ids) == {ids[0]: 2}
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Decision)) == 1  # nothing of the failed group
    finally:
        writer.close()


def test_close_commits_what_is_queued_then_refuses(engine: Engine) -> None:
    writer = DecisionWriter(engine)
    pending = [writer.submit([_row(c)]) for c in range(20)]
    writer.close()
    assert all(f.done() for f in pending)
    assert len({f.result()[0] for f in pending}) == 20
    with pytest.raises(WriterClosedError):
        writer.submit([_row(99)])
    writer.close()  # twice is fine


def test_write_async_awaits_the_commit(engine: Engine) -> None:
    writer = DecisionWriter(engine)

    async def main() -> list[list[int]]:
        return await asyncio.gather(*(writer.write_async([_row(c)]) for c in range(30)))

    try:
        results = asyncio.run(main())
        ids = [r[0] for r in results]
        assert _client_of(engine, ids) == dict(zip(ids, range(30), strict=True))
    finally:
        writer.close()


def test_write_async_hears_of_a_failed_commit(engine: Engine) -> None:
    writer = DecisionWriter(engine)

    async def main() -> None:
        with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError, whichever the backend
            await writer.write_async([_row(1, decision=None)])
        assert await writer.write_async([]) == []
        (good,) = await writer.write_async([_row(2)])
        assert _client_of(engine, [good]) == {good: 2}

    try:
        asyncio.run(main())
    finally:
        writer.close()


def test_writers_of_one_sqlite_file_take_turns_on_its_lock_file(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two API workers are two writers on one file: each commit waits for the lock file, not SQLite's polling."""
    url = fresh_database("sqlite", tmp_path_factory)
    first, second = make_engine(url), make_engine(url)
    upgrade_database(engine=first)
    lock_path = write_lock_path(first)
    assert lock_path is not None and lock_path.name == "decisions.db.write-lock"
    writers = [DecisionWriter(first), DecisionWriter(second)]
    try:
        with lock_path.open("ab") as held:  # another worker in the middle of its commit
            fcntl.flock(held, fcntl.LOCK_EX)
            pending = writers[1].submit([_row(7)])
            time.sleep(0.3)
            assert not pending.done()  # waiting for its turn...
            fcntl.flock(held, fcntl.LOCK_UN)
        (decision_id,) = pending.result(timeout=10)  # ...and committed as soon as the lock is free
        assert _client_of(first, [decision_id]) == {decision_id: 7}

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda c: writers[c % 2].write([_row(c)]), range(200)))
        ids = [i for (i,) in results]
        assert len(set(ids)) == 200
        assert sorted(_client_of(first, ids).values()) == list(range(200))
    finally:
        for writer in writers:
            writer.close()
        first.dispose()
        second.dispose()


def test_only_sqlite_files_have_a_write_lock_file(engine: Engine) -> None:
    assert (write_lock_path(engine) is None) == (engine.dialect.name != "sqlite")
    assert write_lock_path(make_engine("sqlite://")) is None  # in memory: one process, nothing to share
