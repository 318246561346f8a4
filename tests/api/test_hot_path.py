"""The score-by-id hot path: both ways of scoring (precomputed on the event loop, computed in a thread) answer and log
the same thing, concurrent requests each get their own logged decision, and checked credentials are remembered for
``auth_cache_seconds`` only."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

from credit_scoring.api import create_app
from credit_scoring.config import Settings
from credit_scoring.storage.models import Decision, User
from tests.api.conftest import ADVISOR, OTHER_ID, OWN_ID, SECRET, Api, login
from tests.api.fakes import FIRST_ID, N_CLIENTS, FakeService


def test_precomputed_and_computed_scores_are_the_same(api: Api) -> None:
    api.service.precomputed = True
    on_loop = api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=api.advisor)
    api.service.precomputed = False
    try:
        in_thread = api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=api.advisor)
    finally:
        api.service.precomputed = True
    assert on_loop.status_code == in_thread.status_code == 200
    first, second = on_loop.json(), in_thread.json()
    assert first.pop("decision_id") != second.pop("decision_id")
    assert first == second
    assert on_loop.headers["content-type"] == "application/json"


def test_unknown_client_is_404_on_both_paths(api: Api) -> None:
    for precomputed in (True, False):
        api.service.precomputed = precomputed
        response = api.http.get(f"/api/v1/clients/{FIRST_ID + N_CLIENTS + 5}/score", headers=api.advisor)
        assert response.status_code == 404, response.text
    api.service.precomputed = True


def test_concurrent_scores_each_get_their_own_logged_decision(api: Api) -> None:
    ids = [FIRST_ID + i % N_CLIENTS for i in range(60)]

    def score(sk_id: int) -> tuple[int, int]:
        response = api.http.get(f"/api/v1/clients/{sk_id}/score", headers=api.advisor)
        assert response.status_code == 200, response.text
        return sk_id, response.json()["decision_id"]

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(score, ids))
    assert len({decision for _, decision in results}) == len(ids)
    with api.session() as session:
        for sk_id, decision_id in results:
            row = session.get(Decision, decision_id)
            assert row is not None and row.client_id == sk_id and row.kind == "score"


def _app(tmp_path: Path, cache_seconds: float) -> TestClient:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite:///{tmp_path / 'decisions.db'}",
        secret_key=SECRET,
        environment="test",
        auth_cache_seconds=cache_seconds,
    )
    return TestClient(create_app(settings, service=FakeService()))


def _deactivate(http: TestClient, username: str) -> None:
    app = http.app
    with app.state.sessions() as session:  # type: ignore[attr-defined]
        user = session.query(User).filter_by(username=username).one()
        user.active = False
        session.commit()


def _add_advisor(http: TestClient) -> None:
    from credit_scoring.storage.users import add_user

    with http.app.state.sessions() as session:  # type: ignore[attr-defined]
        add_user(session, *ADVISOR, "advisor")


def test_without_the_cache_a_deactivated_user_is_refused_at_once(tmp_path: Path) -> None:
    with _app(tmp_path, 0) as http:
        _add_advisor(http)
        headers = login(http, *ADVISOR)
        assert http.get(f"/api/v1/clients/{OWN_ID}", headers=headers).status_code == 200
        _deactivate(http, ADVISOR[0])
        assert http.get(f"/api/v1/clients/{OWN_ID}", headers=headers).status_code == 401


def test_a_checked_token_is_remembered_for_the_cache_delay_only(tmp_path: Path) -> None:
    with _app(tmp_path, 0.5) as http:
        _add_advisor(http)
        headers = login(http, *ADVISOR)
        assert http.get(f"/api/v1/clients/{OWN_ID}", headers=headers).status_code == 200
        _deactivate(http, ADVISOR[0])
        # Within the delay the worker still trusts what it checked (that is the documented trade-off)...
        assert http.get(f"/api/v1/clients/{OWN_ID}", headers=headers).status_code == 200
        time.sleep(0.6)
        # ...and after it, the user is read again and refused.
        assert http.get(f"/api/v1/clients/{OWN_ID}", headers=headers).status_code == 401
        # A bad token is never cached as valid.
        assert http.get(f"/api/v1/clients/{OWN_ID}", headers={"Authorization": "Bearer x.y.z"}).status_code == 401


_ROUTE = 'route="/api/v1/clients/{sk_id}/score",status="200"'


def _served_count(api: Api) -> float:
    """The latency histogram's count for the score route (200), from /metrics."""
    text = api.http.get("/metrics").text
    name = "credit_scoring_http_request_duration_seconds_count"
    lines = [line for line in text.splitlines() if line.startswith(name) and _ROUTE in line]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines)


def test_the_fast_path_answers_and_logs_as_the_route_does(api: Api) -> None:
    fast = api.app.state.score_fast_path
    counted = _served_count(api)
    api.service.precomputed = False  # the route (in a thread); it also leaves the advisor's token checked
    try:
        by_route = api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers={**api.advisor, "X-Request-ID": "r-route"})
    finally:
        api.service.precomputed = True
    served = fast.served
    by_fast = api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers={**api.advisor, "X-Request-ID": "r-fast"})
    assert fast.served == served + 1  # this one did not go through the router
    assert by_route.status_code == by_fast.status_code == 200
    first, second = by_route.json(), by_fast.json()
    assert first.pop("decision_id") != second.pop("decision_id")
    assert first == second
    for header in ("content-type", "content-length"):
        assert by_route.headers[header] == by_fast.headers[header]
    assert by_fast.headers["x-request-id"] == "r-fast"
    with api.session() as session:
        row = session.get(Decision, by_fast.json()["decision_id"])
        assert row is not None and row.request_id == "r-fast" and row.kind == "score" and row.actor == ADVISOR[0]
        assert row.client_id == OWN_ID and row.inputs == by_fast.json()["inputs"]
    assert _served_count(api) == counted + 2  # same latency series, labelled by the route's template


def test_the_fast_path_leaves_every_unusual_request_to_the_route(api: Api) -> None:
    fast = api.app.state.score_fast_path
    for headers in (api.advisor, api.client):  # both credentials checked once, so the fast path could serve them
        assert api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=headers).status_code == 200
    served = fast.served
    unknown = FIRST_ID + N_CLIENTS + 5
    assert api.http.get(f"/api/v1/clients/{OTHER_ID}/score", headers=api.client).status_code == 403
    assert api.http.get(f"/api/v1/clients/{unknown}/score", headers=api.advisor).status_code == 404
    assert api.http.get(f"/api/v1/clients/{unknown}/score", headers=api.client).status_code == 403
    assert api.http.get("/api/v1/clients/99999999999/score", headers=api.advisor).status_code == 422
    assert api.http.get(f"/api/v1/clients/{OWN_ID}/score").status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=bad).status_code == 401
    writer, api.app.state.writer = api.app.state.writer, None
    try:
        closed = api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=api.advisor)
    finally:
        api.app.state.writer = writer
    assert closed.status_code == 503 and "decision log" in closed.json()["detail"]
    assert fast.served == served
    assert api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=api.client).status_code == 200
    assert fast.served == served + 1


class _FailsOnce:
    """A decision writer whose first commit fails (nothing written), then the real one."""

    def __init__(self, writer: object) -> None:
        self.writer = writer
        self.failed = False

    async def write_async(self, rows: list[dict[str, object]]) -> list[int]:
        if not self.failed:
            self.failed = True
            raise OSError("disk full")
        ids: list[int] = await self.writer.write_async(rows)  # type: ignore[attr-defined]
        return ids


def test_a_failed_commit_on_the_fast_path_is_left_to_the_route_and_logged_once(api: Api) -> None:
    assert api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers=api.advisor).status_code == 200
    writer = api.app.state.writer
    api.app.state.writer = failing = _FailsOnce(writer)
    try:
        response = api.http.get(f"/api/v1/clients/{OWN_ID}/score", headers={**api.advisor, "X-Request-ID": "r-retry"})
    finally:
        api.app.state.writer = writer
    assert failing.failed and response.status_code == 200
    with api.session() as session:
        rows = session.query(Decision).filter_by(request_id="r-retry").all()
    assert [row.id for row in rows] == [response.json()["decision_id"]]
