"""Access tokens: short-lived HS256 JWTs naming the user. Role and client come from the database, not the token, so
disabling a user or changing its role takes effect before the token expires: at once, or within the few seconds a
worker remembers a checked credential (``PrincipalCache``, ``auth_cache_seconds``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import jwt

from credit_scoring.config import Settings
from credit_scoring.schemas import Principal

__all__ = ["ALGORITHM", "PrincipalCache", "create_access_token", "decode_access_token", "verify_access_token"]

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


def verify_access_token(token: str, settings: Settings) -> tuple[str, float] | None:
    """(username, expiry as a Unix time) of a valid, unexpired token, or None: bad signature, expired or malformed are
    all the same."""
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
    subject, expiry = claims.get("sub"), claims.get("exp")
    if not isinstance(subject, str) or not isinstance(expiry, int | float):
        return None
    return subject, float(expiry)


def decode_access_token(token: str, settings: Settings) -> str | None:
    """The username of a valid, unexpired token, or None."""
    verified = verify_access_token(token, settings)
    return None if verified is None else verified[0]


class PrincipalCache:
    """Credentials checked recently (token or API key -> caller), for ``ttl`` seconds and never past a token's expiry.

    Used from the event loop only (no lock). Bounded: when full, it is emptied, which costs one database read per
    caller rather than unbounded memory.
    """

    def __init__(self, ttl: float, *, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[Principal, float]] = {}

    def get(self, credential: str) -> Principal | None:
        entry = self._entries.get(credential)
        if entry is None:
            return None
        principal, until = entry
        if time.time() >= until:
            del self._entries[credential]
            return None
        return principal

    def put(self, credential: str, principal: Principal, expires: float | None = None) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        until = time.time() + self.ttl
        self._entries[credential] = (principal, until if expires is None else min(until, expires))
