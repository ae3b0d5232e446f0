"""The public page in headless Chromium: axe-core finds no serious or critical violation, in both
languages, on a desktop and a phone-sized viewport; it reads without JavaScript and without
sideways scrolling on a phone.

Needs Debian's Chromium (tests/chromium.py) and the `browser` extra: Playwright, and axe-core's `axe.min.js` as the
axe-playwright-python package ships it (AXE_CORE_JS names another copy); skipped otherwise.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, launched
from tests.statuspage.test_page_e2e import UPDATE, _setup


def _shipped_axe() -> str:
    spec = importlib.util.find_spec("axe_playwright_python")
    return str(Path(spec.origin).with_name("axe.min.js")) if spec and spec.origin else ""


AXE = next((p for p in [os.environ.get("AXE_CORE_JS", ""), _shipped_axe()] if p and Path(p).is_file()), None)
if not os.path.exists(CHROMIUM):
    pytest.skip(f"no {CHROMIUM}", allow_module_level=True)
if AXE is None:
    pytest.skip("no axe-core: install the browser extra (axe-playwright-python) or set AXE_CORE_JS",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
# The browser reads the HTML the page serves; what the page holds on each database is test_page_e2e's
# (CI's PostgreSQL run runs that one again, not these).
pytestmark = pytest.mark.any_database

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def browser():
    with launched() as b:
        yield b


def _published(bot):
    crisis = _setup(bot)
    bot.command("UFR", "affects ecommerce,instore", channel=crisis)
    bot.command("UFR", "publish", channel=crisis)
    bot.command("UEN", f"update monitoring {UPDATE}", channel=crisis)
    bot.command("UFR", "declare P3 FR Lenteurs <script>alert(1)</script> EN Slowness مرحبا")
    other = bot.incident_channel()
    bot.command("UFR", "publish", channel=other)
    bot.command("UFR", "resolve", channel=other)
    bot.command("UFR", "postmortem", channel=other)  # its Markdown as HTML: headings, lists, a table
    bot.command("UFR", "publish postmortem", channel=other)


def test_axe_finds_no_serious_violation_in_both_languages_on_desktop_and_phone(page_bot, browser):
    bot = page_bot
    _published(bot)
    assert 'class="text postmortem"' in bot.get("/status/incidents/TSR-2642?lang=fr").text  # axe reads one too
    paths = ["/status?lang=fr", "/status?lang=en", "/status/incidents/TSR-2641?lang=en",
             "/status/incidents/TSR-2642?lang=fr", "/status/incidents/TSR-9999?lang=fr", "/status/fr/history/"]
    for viewport in (DESKTOP, PHONE):
        context = browser.new_context(viewport=viewport, bypass_csp=True)  # axe is injected as a script
        page = context.new_page()
        for path in paths:
            page.goto(bot.base + path)
            page.add_script_tag(path=AXE)
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            bad = [(v["id"], v["impact"], v["help"]) for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
            assert bad == [], f"{path} at {viewport}: {bad}"
            if viewport is PHONE:
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        context.close()


def test_the_page_reads_without_javascript_and_switches_language(page_bot, browser):
    bot = page_bot
    _published(bot)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(bot.base + "/status?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text().startswith("État des services")
    # A click starts a navigation and returns: read the next page only once it has loaded.
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.get_by_role("link", name="TSR-2641").first.click()
    assert page.url.endswith("/status/en/incidents/TSR-2641/")
    assert "We have identified ongoing difficulties" in page.content()
    assert page.locator("script").count() == 0
    context.close()
