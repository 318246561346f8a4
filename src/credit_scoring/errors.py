"""Errors a user can act on. Entry points print their message on one line; they never show a traceback."""

from __future__ import annotations

__all__ = ["CreditScoringError", "DataError"]


class CreditScoringError(Exception):
    """Base of every error whose message is meant for the user as it is."""


class DataError(CreditScoringError):
    """Input data does not match what is expected: the message names the file, the column and what was expected."""
