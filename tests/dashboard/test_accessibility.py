"""Static accessibility checks: theme contrast (WCAG 1.4.3), both languages complete, and the axe exceptions the
browser test ignores are exactly those documented in docs/accessibility.md."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from credit_scoring.dashboard.i18n import FIELD_LABELS, STRINGS
from credit_scoring.dashboard.launch import APP_PATH
from tests.e2e.axe_exceptions import AXE_EXCEPTIONS

ROOT = Path(__file__).resolve().parents[2]


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture(scope="module")
def theme() -> dict[str, str]:
    config = tomllib.loads((APP_PATH.parent / ".streamlit" / "config.toml").read_text())
    theme: dict[str, str] = config["theme"]
    return theme


@pytest.mark.parametrize("foreground", ["textColor", "primaryColor", "linkColor"])
@pytest.mark.parametrize("background", ["backgroundColor", "secondaryBackgroundColor"])
def test_theme_contrast_at_least_4_5(theme: dict[str, str], foreground: str, background: str) -> None:
    assert contrast(theme[foreground], theme[background]) >= 4.5


def test_primary_button_text_contrast(theme: dict[str, str]) -> None:
    assert contrast("#FFFFFF", theme["primaryColor"]) >= 4.5  # white label on a primary button


def test_chart_text_colour_contrast() -> None:
    from credit_scoring.dashboard import charts

    assert contrast(charts._TEXT, "#FFFFFF") >= 7


def test_both_languages_have_every_text() -> None:
    assert STRINGS["fr"].keys() == STRINGS["en"].keys()
    assert FIELD_LABELS["fr"].keys() == FIELD_LABELS["en"].keys()
    for lang in ("fr", "en"):
        for key, text in STRINGS[lang].items():
            other = "en" if lang == "fr" else "fr"
            assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", STRINGS[other][key])), key


def test_axe_exceptions_are_documented() -> None:
    doc = (ROOT / "docs" / "accessibility.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([\w-]+)` \| `([^`]+)` \|", doc, flags=re.MULTILINE))
    assert rows == {(e.rule, e.target) for e in AXE_EXCEPTIONS}
