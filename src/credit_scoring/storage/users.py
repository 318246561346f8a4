"""Users (advisors and clients) and API keys: the functions behind ``credit-scoring users add`` and the API's login.

Passwords are hashed with Argon2 (memory-hard: slow to brute-force offline). API keys are long random strings, so a
SHA-256 is enough to store them and lets the API find a key by its hash in one indexed lookup per request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from credit_scoring.config import Settings
from credit_scoring.errors import CreditScoringError
from credit_scoring.schemas import Principal, Role
from credit_scoring.storage.models import ApiKey, User

__all__ = [
    "DEMO_ADVISOR",
    "DemoUser",
    "add_api_key",
    "add_user",
    "authenticate",
    "create_demo_users",
    "get_user",
    "principal_for_api_key",
    "revoke_api_key",
]

logger = logging.getLogger(__name__)

#: The demo advisor's login; demo clients log in as ``client-<SK_ID_CURR>``.
DEMO_ADVISOR = "conseiller"
_ROLES: tuple[Role, ...] = ("advisor", "client")


@cache
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a login takes as long whether the name exists or not."""
    return _hasher().hash(secrets.token_urlsafe(16))


def _check(username: str, password: str, role: str, client_id: int | None) -> None:
    if not username or len(username) > 100:
        raise CreditScoringError("a username has 1 to 100 characters")
    if len(password) < 8:
        raise CreditScoringError("a password has at least 8 characters")
    if role not in _ROLES:
        raise CreditScoringError(f"role must be one of {', '.join(_ROLES)}, not {role!r}")
    if role == "client" and client_id is None:
        raise CreditScoringError("a client user needs the client id (SK_ID_CURR) it may see")
    if role == "advisor" and client_id is not None:
        raise CreditScoringError("an advisor is not linked to one client: leave the client id out")


def add_user(
    session: Session, username: str, password: str, role: str, client_id: int | None = None, *, active: bool = True
) -> User:
    """Create the user, or update its password, role and client when it exists. Commits."""
    _check(username, password, role, client_id)
    user = get_user(session, username)
    if user is None:
        user = User(username=username, password_hash="", role=role, client_id=client_id, active=active)
        session.add(user)
    user.password_hash = _hasher().hash(password)
    user.role = role
    user.client_id = client_id
    user.active = active
    session.commit()
    logger.info("user %s saved (role %s)", username, role)
    return user


def get_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None (without telling which part was wrong)."""
    user = get_user(session, username) if "\x00" not in username else None
    if user is None:
        _hasher().verify(password, _dummy_hash())
        return None
    if not _hasher().verify(password, user.password_hash) or not user.active:
        return None
    return user


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def add_api_key(session: Session, name: str) -> str:
    """Create (or rotate) the API key ``name`` and return it: it is shown once, only its hash is kept. Commits."""
    if not name or len(name) > 100:
        raise CreditScoringError("an API key name has 1 to 100 characters")
    key = "cs_" + secrets.token_urlsafe(32)
    row = session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()
    if row is None:
        row = ApiKey(name=name, key_hash="", prefix="")
        session.add(row)
    row.key_hash = _key_hash(key)
    row.prefix = key[:10]
    row.active = True
    session.commit()
    logger.info("API key %s saved (%s...)", name, row.prefix)
    return key


def revoke_api_key(session: Session, name: str) -> bool:
    row = session.scalars(select(ApiKey).where(ApiKey.name == name)).one_or_none()
    if row is None:
        return False
    row.active = False
    session.commit()
    return True


def principal_for_api_key(session: Session, key: str) -> Principal | None:
    """API keys belong to service callers, which act as advisors."""
    if not key or len(key) > 200:
        return None
    row = session.scalars(select(ApiKey).where(ApiKey.key_hash == _key_hash(key))).one_or_none()
    if row is None or not row.active:
        return None
    return Principal(username=f"api-key:{row.name}", role="advisor")


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    client_id: int | None


def create_demo_users(session: Session, settings: Settings, client_ids: Iterable[int]) -> list[DemoUser]:
    """``conseiller`` (advisor) and ``client-<id>`` for each id, with the demo passwords from the settings.

    Defaults: ``CREDIT_SCORING_DEMO_ADVISOR_PASSWORD=conseiller-demo`` and
    ``CREDIT_SCORING_DEMO_CLIENT_PASSWORD=client-demo`` (refused when ``CREDIT_SCORING_ENVIRONMENT=production``).
    """
    made = [DemoUser(DEMO_ADVISOR, "advisor", None)]
    add_user(session, DEMO_ADVISOR, settings.demo_advisor_password.get_secret_value(), "advisor")
    for client_id in client_ids:
        name = f"client-{client_id}"
        add_user(session, name, settings.demo_client_password.get_secret_value(), "client", client_id)
        made.append(DemoUser(name, "client", client_id))
    return made
