"""Access tokens: short-lived HS256 JWTs naming the user. Role and client come from the database on each request, so
disabling a user or changing its role takes effect before the token expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from credit_scoring.config import Settings

__all__ = ["ALGORITHM", "create_access_token", "decode_access_token"]

ALGORITHM = "HS256"
_AUDIENCE = "credit-scoring-api"


def create_access_token(username: str, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": username,
        "aud": _AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_ttl_minutes),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def decode_access_token(token: str, settings: Settings) -> str | None:
    """The username of a valid, unexpired token, or None: bad signature, expired or malformed are all the same."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            audience=_AUDIENCE,
            options={"require": ["sub", "exp", "aud"]},
        )
    except jwt.PyJWTError:
        return None
    subject = claims.get("sub")
    return subject if isinstance(subject, str) else None
