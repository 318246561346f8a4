"""Login (OAuth2 password flow) for advisors and clients, and "who am I" for the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from credit_scoring.api.deps import CurrentUser, DbSession, SettingsDep
from credit_scoring.api.responses import errors
from credit_scoring.api.security import create_access_token
from credit_scoring.schemas import Principal, Token
from credit_scoring.storage.users import authenticate

__all__ = ["router"]

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    summary="Log in with a username and password; returns a bearer token",
    response_model=Token,
    responses=errors(401, 422),
)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: DbSession, settings: SettingsDep) -> Token:
    # Plain def: Argon2 verification is deliberately slow and must not block the event loop.
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, detail="wrong username or password", headers={"WWW-Authenticate": "Bearer"}
        )
    return Token(
        access_token=create_access_token(user.username, settings),
        expires_in=settings.token_ttl_minutes * 60,
        role=user.role,
        client_id=user.client_id,
    )


@router.get("/me", summary="The authenticated caller: username, role and client id", responses=errors(401))
def me(user: CurrentUser) -> Principal:
    return user
