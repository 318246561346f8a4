"""Playwright helpers shared by the browser tests and bench/dashboard.py: Debian's Chromium, login, client switch."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 30_000


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium (``apt-get install chromium``): ``playwright install`` cannot download here."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_idle(page: Page) -> None:
    """Streamlit shows its status widget while the script runs; wait until the run is over."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-stale=\"true\"]').length === 0"
        " && document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
        timeout=TIMEOUT_MS,
    )


def login(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url, timeout=TIMEOUT_MS)
    page.get_by_label(re.compile("^(Identifiant|Username)$")).fill(username, timeout=TIMEOUT_MS)
    page.get_by_label(re.compile("^(Mot de passe|Password)$"), exact=False).first.fill(password)
    page.get_by_role("button", name=re.compile("Se connecter|Log in")).click()
    expect(page.get_by_text(re.compile("Connecté|Logged in"))).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def show_client(page: Page, sk_id: int) -> None:
    """Type the id and press Enter (the form submits), as an advisor would."""
    box = page.get_by_label(re.compile(r"Identifiant client|Client id"))
    box.fill(str(sk_id))
    box.press("Enter")


def wait_client_shown(page: Page, sk_id: int) -> None:
    """The client's heading, decision and reasons are on screen."""
    expect(page.get_by_role("heading", name=re.compile(rf"Client {sk_id}\b"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile("Ce qui pèse vers le refus|What weighs toward refusal"))).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.get_by_text(re.compile("Crédit (accordé|refusé)|Credit (granted|refused)")).first).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=TIMEOUT_MS)  # the gauge is drawn
