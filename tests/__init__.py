"""Test suite (a package so that tests/api can share its fakes and fixtures by import)."""
