"""End to end in a real browser: an advisor finds a client, reads the decision and reasons, runs a what-if; a client
sees their own file and is refused another's; axe-core finds no serious or critical violation on any page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe_exceptions import AXE_EXCEPTIONS
from tests.e2e.browser import TIMEOUT_MS, login, show_client, wait_client_shown, wait_idle

ADVISOR = ("conseiller", "conseiller-demo")
OWN_ID = 100001
OTHER_ID = 100002
CLIENT = (f"client-{OWN_ID}", "client-demo")
BLOCKING = {"serious", "critical"}

pytestmark = pytest.mark.slow  # two servers and a browser: about a minute


def _excepted(violation: dict[str, object]) -> bool:
    nodes = violation.get("nodes")
    assert isinstance(nodes, list)
    for exception in AXE_EXCEPTIONS:
        if violation["id"] != exception.rule:
            continue
        if all(exception.target in json.dumps(node.get("target")) for node in nodes):
            return True
    return False


def check_page(page: Page, name: str, artifacts: Path) -> None:
    """Screenshot, then axe-core on the whole document; the full report is saved beside the screenshot."""
    wait_idle(page)
    page.wait_for_timeout(300)  # charts finish their transition
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    violations = results.response["violations"]
    (artifacts / f"axe-{name}.json").write_text(json.dumps(violations, indent=1, ensure_ascii=False))
    blocking = [v for v in violations if v.get("impact") in BLOCKING and not _excepted(v)]
    summary = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in blocking]
    assert not blocking, f"axe on {name}:\n" + "\n".join(summary)


def _nav(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    wait_idle(page)


def test_login_page_is_accessible(page: Page, dashboard_url: str, artifacts: Path) -> None:
    page.goto(dashboard_url, timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page).to_have_title(re.compile("Connexion"))
    # The dashboard sets <html lang> from a script that runs after the first render: wait for it, don't race it.
    page.wait_for_function("document.documentElement.lang === 'fr'", timeout=TIMEOUT_MS)
    check_page(page, "01-login", artifacts)


def test_wrong_password_is_explained(page: Page, dashboard_url: str) -> None:
    page.goto(dashboard_url, timeout=TIMEOUT_MS)
    page.get_by_label("Identifiant").fill("conseiller")
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("wrong username or password")).to_be_visible(timeout=TIMEOUT_MS)


def test_advisor_journey(page: Page, dashboard_url: str, artifacts: Path, trained_bundle: Path) -> None:
    login(page, dashboard_url, *ADVISOR)
    expect(page).to_have_title(re.compile("Dossier client"))
    show_client(page, OTHER_ID)
    wait_client_shown(page, OTHER_ID)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text(re.compile(r"Crédit (refusé|accordé)")).first).to_be_visible()
    expect(main.get_by_text(re.compile(r"Probabilité de difficultés de paiement"))).to_be_visible()
    expect(main.get_by_text(re.compile(r"(au-dessus|en dessous) du seuil")).first).to_be_visible()
    expect(main.get_by_text(re.compile(r"Ce qui pèse vers le refus"))).to_be_visible()
    assert page.locator(".js-plotly-plot").count() >= 2
    check_page(page, "02-advisor-client-file", artifacts)

    _nav(page, "Comparer")
    expect(page.get_by_text(re.compile("Parmi les 10 clients les plus proches"))).to_be_visible(timeout=TIMEOUT_MS)
    check_page(page, "03-advisor-compare", artifacts)

    _nav(page, "Simulation")
    box = page.get_by_label("Score externe 2")
    box.fill("0.9")
    box.press("Tab")
    page.get_by_role("button", name="Relancer le score").click()
    expect(page.get_by_text(re.compile("La probabilité passe de"))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"Score externe 2 : .* → 0,900"))).to_be_visible()
    check_page(page, "04-advisor-what-if", artifacts)

    _nav(page, "Nouvelle demande")
    check_page(page, "05-advisor-new-application", artifacts)

    _nav(page, "Le modèle")
    expect(page.get_by_text(re.compile(trained_bundle.name)).first).to_be_visible(timeout=TIMEOUT_MS)
    check_page(page, "06-advisor-model", artifacts)

    page.get_by_text("English").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="The model", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_function("document.documentElement.lang === 'en'", timeout=TIMEOUT_MS)
    _nav(page, "Client file")
    wait_client_shown(page, OTHER_ID)
    check_page(page, "07-advisor-client-file-en", artifacts)


def test_client_sees_own_file_and_not_another(page: Page, dashboard_url: str, artifacts: Path) -> None:
    login(page, dashboard_url, *CLIENT)
    expect(page.get_by_role("heading", name="Votre dossier")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile("votre demande de crédit"))).to_be_visible()
    expect(page.get_by_text("Ce qui a compté dans la décision")).to_be_visible()
    check_page(page, "08-client-own-file", artifacts)
    assert str(OTHER_ID) not in page.locator('[data-testid="stMain"]').inner_text()


def test_client_deep_link_to_another_file_is_refused(page: Page, dashboard_url: str, artifacts: Path) -> None:
    page.goto(f"{dashboard_url}/?client={OTHER_ID}", timeout=TIMEOUT_MS)
    page.get_by_label("Identifiant").fill(CLIENT[0])
    page.get_by_label("Mot de passe").fill(CLIENT[1])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text(re.compile(rf"Accès refusé au dossier {OTHER_ID}"))).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    page.screenshot(path=str(artifacts / "09-client-other-file-refused.png"), full_page=True)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert f"Client {OTHER_ID}" not in text


@pytest.mark.parametrize("target", [OTHER_ID])
def test_advisor_deep_link_opens_the_client(page: Page, dashboard_url: str, target: int) -> None:
    page.goto(f"{dashboard_url}/?client={target}", timeout=TIMEOUT_MS)
    page.get_by_label("Identifiant").fill(ADVISOR[0])
    page.get_by_label("Mot de passe").fill(ADVISOR[1])
    page.get_by_role("button", name="Se connecter").click()
    wait_client_shown(page, target)


def test_axe_harness_reports_violations(browser: Browser) -> None:
    """The accessibility gate can fail: axe finds a missing alt text and an unlabeled input on a bad page."""
    page = browser.new_page()
    page.set_content('<html lang="fr"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    rules = {v["id"] for v in Axe().run(page).response["violations"]}
    page.close()
    assert {"image-alt", "label"} <= rules


def _tab_to(page: Page, label: str, *, presses: int = 40) -> None:
    """Press Tab until the field labelled ``label`` has the focus: it is reachable without a mouse."""
    target = page.get_by_label(label)
    for _ in range(presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{label!r} not reachable with Tab in {presses} presses")


def test_keyboard_only_login_and_client_switch(page: Page, dashboard_url: str) -> None:
    page.goto(dashboard_url, timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=TIMEOUT_MS)
    _tab_to(page, "Identifiant")
    page.keyboard.type(ADVISOR[0])
    page.keyboard.press("Tab")
    page.keyboard.type(ADVISOR[1])
    page.keyboard.press("Enter")
    expect(page.get_by_text("Connecté : conseiller (conseiller)")).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)
    _tab_to(page, "Identifiant client (SK_ID_CURR)")
    page.keyboard.type(str(OTHER_ID))
    page.keyboard.press("Enter")
    wait_client_shown(page, OTHER_ID)


def test_small_screen_client_view(browser: Browser, dashboard_url: str, artifacts: Path) -> None:
    """WCAG 1.4.10 reflow: at 400 CSS px wide the client's page still reads top to bottom and passes axe."""
    context = browser.new_context(viewport={"width": 400, "height": 2400}, locale="fr-FR")
    page = context.new_page()
    try:
        login(page, dashboard_url, *CLIENT)
        expect(page.get_by_text("Ce qui a compté dans la décision")).to_be_visible(timeout=TIMEOUT_MS)
        check_page(page, "10-client-own-file-400px", artifacts)
        width = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
        assert width <= 400, "no horizontal scrolling"
    finally:
        context.close()
