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
from starlette.concurrency import run_in_threadpool

from credit_scoring.api.security import PrincipalCache, verify_access_token
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
    "credential_key",
    "get_current_user",
    "get_db",
    "get_request_id",
    "get_service",
    "get_session_factory",
    "get_settings_dep",
    "require_advisor",
    "require_own_client",
]

_oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="Service callers (advisor role)")


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


SessionFactory = Annotated[sessionmaker[Session], Depends(get_session_factory)]


def get_db(factory: SessionFactory) -> Iterator[Session]:
    with factory() as session:
        yield session


DbSession = Annotated[Session, Depends(get_db)]


async def get_service(request: Request) -> ScoringService:
    service: ScoringService | None = request.app.state.service
    if service is None:
        raise ServiceUnavailableError(request.app.state.service_error or "no model is loaded")
    return service


Service = Annotated[ScoringService, Depends(get_service)]


async def get_request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


RequestId = Annotated[str | None, Depends(get_request_id)]

_UNAUTHORIZED = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="not authenticated: log in at /api/v1/auth/token, or send an X-API-Key",
    headers={"WWW-Authenticate": "Bearer"},
)


def _lookup(
    factory: sessionmaker[Session], settings: Settings, token: str | None, api_key: str | None
) -> tuple[Principal, float | None]:
    """The caller and when its credential expires (None for API keys); 401 when the credential is not valid."""
    with factory() as session:
        if api_key:
            principal = principal_for_api_key(session, api_key)
            if principal is None:
                raise _UNAUTHORIZED
            return principal, None
        verified = None if token is None else verify_access_token(token, settings)
        user = None if verified is None else get_user(session, verified[0])
    if verified is None or user is None or not user.active or user.role not in ("advisor", "client"):
        raise _UNAUTHORIZED
    return Principal(username=user.username, role=user.role, client_id=user.client_id), verified[1]


def credential_key(token: str | None, api_key: str | None) -> str | None:
    """What ``PrincipalCache`` files a credential under (an API key wins over a token, as in ``get_current_user``)."""
    if api_key:
        return f"key:{api_key}"
    if token:
        return f"jwt:{token}"
    return None


async def get_current_user(
    request: Request,
    token: Annotated[str | None, Depends(_oauth2)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The caller, from an API key or a bearer token, checked against the users table.

    A credential that passed is remembered for ``settings.auth_cache_seconds`` (and never past its token's expiry), so
    that a busy caller does not cost a database read per request; deactivating a user or revoking a key therefore
    takes effect within that delay (0 turns the cache off).
    """
    credential = credential_key(token, api_key)
    if credential is None:
        raise _UNAUTHORIZED
    state = request.app.state
    cache: PrincipalCache = state.principals
    cached = cache.get(credential)
    if cached is not None:
        return cached
    principal, expires = await run_in_threadpool(_lookup, state.sessions, state.settings, token, api_key)
    cache.put(credential, principal, expires)
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


async def require_advisor(user: CurrentUser) -> Principal:
    if user.role != "advisor":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this endpoint is for advisors")
    return user


Advisor = Annotated[Principal, Depends(require_advisor)]


async def require_own_client(user: CurrentUser, sk_id: Annotated[int, Path(ge=0, le=MAX_ID)]) -> Principal:
    """Advisors see every client; a client sees only itself (403 for any other id, known or not)."""
    if user.role == "client" and user.client_id != sk_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="a client may only see its own file")
    return user


OwnClient = Annotated[Principal, Depends(require_own_client)]
