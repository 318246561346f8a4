"""``DecisionWriter``: the decision log's group commit.

Every score the API serves must be committed before its response leaves. One transaction per request makes the commit
(and the ORM's per-object bookkeeping) the cost of a score: on two cores that capped the API near 150 requests/s. The
writer is one thread that owns the log's writes: requests hand it their rows and wait; it takes everything waiting,
inserts it with one multi-row ``INSERT ... RETURNING id`` and one commit, then wakes each request with its ids. A
request is still answered only after its own row is durable, and a failed commit fails every request in that group
(none is acknowledged), but concurrent requests share a transaction instead of queueing for the write lock.

Callers on the event loop ``await writer.write_async(rows)``; callers in worker threads use ``writer.write(rows)``.

Several API workers on one SQLite file: SQLite lets one writer in at a time and makes the others poll with growing
sleeps (1, 2, 5 ... 100 ms), so a worker whose commit met the other's spent much of its time asleep with requests
waiting (22% of two cores idle under load, a p99 over one second). The writers of one file therefore take turns on a
lock file beside it (``flock``): the kernel wakes the next one the moment the lock is free, and the rows it gathered
meanwhile go in its next commit. PostgreSQL needs no such turn-taking (concurrent inserts do not block each other).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, insert

from credit_scoring.storage.models import Decision, utcnow

__all__ = ["DecisionWriter", "WriterClosedError", "write_lock_path"]

logger = logging.getLogger(__name__)

_STOP = object()


class WriterClosedError(RuntimeError):
    """The writer was closed: nothing more can be logged (the API is shutting down)."""


@dataclass
class _Job:
    """Rows to write, and who waits for their ids: a thread (``done``) or a coroutine (``waiter`` on ``loop``)."""

    rows: list[dict[str, Any]]
    done: Future[list[int]] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    waiter: asyncio.Future[list[int]] | None = None


def _settle(outcomes: list[tuple[asyncio.Future[list[int]], list[int] | BaseException]]) -> None:
    """On the event loop: hand each waiting coroutine its ids (or the commit's error)."""
    for waiter, outcome in outcomes:
        if waiter.done():  # the request was cancelled (client gone); its rows are committed all the same
            continue
        if isinstance(outcome, BaseException):
            waiter.set_exception(outcome)
        else:
            waiter.set_result(outcome)


def write_lock_path(engine: Engine) -> Path | None:
    """The lock file the writers of ``engine``'s SQLite file take turns on (None: not a SQLite file)."""
    url = engine.url
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).with_name(Path(database).name + ".write-lock")


class DecisionWriter:
    """One thread that commits the decision rows of concurrent requests together (at most ``max_rows`` per commit)."""

    def __init__(self, engine: Engine, *, max_rows: int = 2_000) -> None:
        self.engine = engine
        self.max_rows = max_rows
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._lock_path = write_lock_path(engine)
        self._lock_file: IO[bytes] | None = None
        #: Commits and rows written so far (the benchmark and the tests read them).
        self.commits = 0
        self.rows_written = 0

    # --- submitting ---------------------------------------------------------------------------------------------------
    def _enqueue(self, job: _Job) -> None:
        with self._lock:
            if self._closed:
                raise WriterClosedError("the decision log is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="decision-writer", daemon=True)
                self._thread.start()
            self._queue.put(job)

    def submit(self, rows: Sequence[dict[str, Any]]) -> Future[list[int]]:
        """Queue ``rows`` (``Decision`` column values); the future gives their ids, in order, once committed."""
        done: Future[list[int]] = Future()
        if not rows:
            done.set_result([])
            return done
        self._enqueue(_Job([dict(row) for row in rows], done=done))
        return done

    def write(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Blocking: commit ``rows`` (with whatever else is waiting) and return their ids."""
        return self.submit(rows).result()

    async def write_async(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """As ``write``, awaiting the commit without holding a worker thread.

        The writer wakes the event loop once per commit for all the coroutines of that commit, not once per request.
        """
        if not rows:
            return []
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[list[int]] = loop.create_future()
        self._enqueue(_Job([dict(row) for row in rows], loop=loop, waiter=waiter))
        return await waiter

    def close(self, timeout: float = 30.0) -> None:
        """Commit what is queued, then stop the thread. Later submissions raise ``WriterClosedError``."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(_STOP)
            thread.join(timeout)

    # --- the writing thread -------------------------------------------------------------------------------------------
    def _take(self) -> tuple[list[_Job], bool]:
        """Block for one job, then take every job already waiting (up to ``max_rows`` rows)."""
        first = self._queue.get()
        if first is _STOP:
            return [], True
        assert isinstance(first, _Job)
        jobs, count = [first], len(first.rows)
        while count < self.max_rows:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return jobs, True
            assert isinstance(item, _Job)
            jobs.append(item)
            count += len(item.rows)
        return jobs, False

    @staticmethod
    def _answer(jobs: list[_Job], outcomes: list[list[int] | BaseException]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[list[int]], list[int] | BaseException]]]
        by_loop = {}
        for job, outcome in zip(jobs, outcomes, strict=True):
            if job.done is not None:
                if isinstance(outcome, BaseException):
                    job.done.set_exception(outcome)
                else:
                    job.done.set_result(outcome)
            elif job.loop is not None and job.waiter is not None:
                by_loop.setdefault(job.loop, []).append((job.waiter, outcome))
        for loop, pairs in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, pairs)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                logger.debug("event loop closed before %d decision ids could be handed back", len(pairs))

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """Exclusive use of the SQLite file among its writers (every process), for one transaction."""
        if self._lock_path is None:
            yield
            return
        if self._lock_file is None:
            self._lock_file = self._lock_path.open("ab")
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _commit(self, jobs: list[_Job]) -> None:
        rows = [row for job in jobs for row in job.rows]
        now = utcnow()
        for row in rows:
            row.setdefault("created_at", now)
        try:
            with self._turn(), self.engine.begin() as connection:
                result = connection.execute(insert(Decision).returning(Decision.id, sort_by_parameter_order=True), rows)
                ids = [int(i) for i in result.scalars().all()]
        except Exception as exc:  # every waiting request must hear of it: none of them was logged
            logger.error("decision log commit of %d rows failed: %s", len(rows), exc)
            self._answer(jobs, [exc] * len(jobs))
            return
        self.commits += 1
        self.rows_written += len(rows)
        outcomes: list[list[int] | BaseException] = []
        start = 0
        for job in jobs:
            outcomes.append(ids[start : start + len(job.rows)])
            start += len(job.rows)
        self._answer(jobs, outcomes)

    def _run(self) -> None:
        try:
            stop = False
            while not stop:
                jobs, stop = self._take()
                if jobs:
                    self._commit(jobs)
            while True:  # anything queued between the stop and the last take
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    return
                if isinstance(item, _Job):
                    self._commit([item])
        finally:
            if self._lock_file is not None:
                self._lock_file.close()
