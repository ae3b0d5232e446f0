"""Take the README's screenshots of the playground: `.venv/bin/python tests/playground/screenshots.py`.

Starts the playground as the browser tests do, acts through the page, and writes
docs/playground-channel.png (a crisis channel with a bilingual update) and
docs/playground-postmortem.png (the example incident's postmortem canvas and file).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect  # noqa: E402

from tests.chromium import launched  # noqa: E402
from tests.playground.conftest import start, stop  # noqa: E402
from tests.playground.test_playground_browser import be, declare, send  # noqa: E402


def main() -> int:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        pg = start(Path(tmp), "playground")
        try:
            with launched() as browser:
                page = browser.new_page(viewport={"width": 1400, "height": 860}, timezone_id="Europe/Paris")
                page.goto(pg.url)
                expect(page.locator("body")).to_have_attribute("data-ready", "true")
                be(page, "UCAMILLE")
                declare(page, "Paiements refusés en magasin", "In-store payments declined",
                        "paiements-refuses-en-magasin")
                send(page, "Le terminal de test refuse aussi les cartes CB : on regarde les logs de l’acquéreur.")
                said = page.locator("#messages .message", has_text="Le terminal de test").last
                said.get_by_role("button", name="Add :pushpin: reaction (timeline)").click()
                expect(said.locator(".reaction")).to_have_count(1)
                send(page, "/incident update identified FR Une mise à jour du routage acquéreur refuse les cartes "
                           "CB en magasin ; retour arrière en cours. EN An acquirer routing change declines CB "
                           "cards in store; rolling back now.")
                expect(page.locator("#messages")).to_contain_text("rolling back now")
                page.locator("#composer-text").fill("/incident update monitoring FR … EN …")
                page.screenshot(path=str(docs / "playground-channel.png"))
                page.locator("#composer-text").fill("")
                page.locator(".channel-link", has_text="#tsr-2641-").click()
                page.get_by_role("button", name="Canvas").click()
                expect(page.locator("#panel-body .canvas")).to_contain_text("Référence incident")
                page.screenshot(path=str(docs / "playground-postmortem.png"))
        finally:
            stop(pg)
    print("wrote docs/playground-channel.png and docs/playground-postmortem.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
