"""``Annotated`` dependencies: the settings, a database session, the domain service, the caller and role checks.

Roles: an advisor may do everything; a client may read only what concerns its own SK_ID_CURR (``OwnClient``) and
population aggregates. Routes declare what they need (``Advisor``, ``OwnClient``, ``CurrentUser``); a missing or invalid
credential is 401, a valid one without the right is 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from credit_scoring.api.security import decode_access_token
from credit_scoring.config import Settings
from credit_scoring.schemas import MAX_ID, Principal
from credit_scoring.service import ScoringService, ServiceUnavailableError
from credit_scoring.storage.users import get_user, principal_for_api_key

__all__ = [
    "Advisor",
    "CurrentUser",
    "DbSession",
    "OwnClient",
    "RequestId",
    "Service",
    "SessionFactory",
    "SettingsDep",
    "get_current_user",
    "get_db",
    "get_service",
    "get_session_factory",
    "get_settings_dep",
    "require_advisor",
    "require_own_client",
]

_oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Service callers (advisor role)")


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


SessionFactory = Annotated[sessionmaker[Session], Depends(get_session_factory)]


def get_db(factory: SessionFactory) -> Iterator[Session]:
    with factory() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


def get_service(request: Request) -> ScoringService:
    service: ScoringService | None = request.app.state.service
    if service is None:
        raise ServiceUnavailableError(request.app.state.service_error or "no model is loaded")
    return service


Service = Annotated[ScoringService, Depends(get_service)]


def get_request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


RequestId = Annotated[str | None, Depends(get_request_id)]

_UNAUTHORIZED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="not authenticated: log in at /api/v1/auth/token, or send an X-API-Key",
    headers={"WWW-Authenticate": "Bearer"},
)


def get_current_user(
    session: DbSession,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_oauth2)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    if api_key:
        principal = principal_for_api_key(session, api_key)
        if principal is None:
            raise _UNAUTHORIZED
        return principal
    if not token:
        raise _UNAUTHORIZED
    username = decode_access_token(token, settings)
    user = None if username is None else get_user(session, username)
    if user is None or not user.active or user.role not in ("advisor", "client"):
        raise _UNAUTHORIZED
    return Principal(username=user.username, role=user.role, client_id=user.client_id)


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_advisor(user: CurrentUser) -> Principal:
    if user.role != "advisor":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this endpoint is for advisors")
    return user


Advisor = Annotated[Principal, Depends(require_advisor)]


def require_own_client(user: CurrentUser, sk_id: Annotated[int, Path(ge=0, le=MAX_ID)]) -> Principal:
    """Advisors see every client; a client sees only itself (403 for any other id, known or not)."""
    if user.role == "client" and user.client_id != sk_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="a client may only see its own file")
    return user


OwnClient = Annotated[Principal, Depends(require_own_client)]
