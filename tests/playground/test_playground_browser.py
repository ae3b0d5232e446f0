"""The playground through its page, in headless Chromium driven by Playwright.

Chromium comes from the machine's Debian packages (`apt-get install chromium-headless-shell`, or
`chromium`); Playwright from PyPI, never with `playwright install`: it launches that (tests/chromium.py).
"""

from __future__ import annotations

import json
import os
import re
import time

import pytest

from tests import forked
from tests.chromium import CHROMIUM, launched
from tests.playground.conftest import ROOT

if not os.path.exists(CHROMIUM):
    pytest.skip(f"no {CHROMIUM}: apt-get install -y chromium-headless-shell", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright")
expect = sync_api.expect
# Playwright waits 5 s for a condition by default: on a loaded 2-core machine (two test workers, a
# playground process, Chromium) the bot's reply can take longer to show. Same checks, a longer wait.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser():
    with launched() as b:
        yield b


PHONE = {"width": 390, "height": 844}  # a phone held upright


def _open_page(browser, playground, **context_args):
    # The browser's language said, not left to the build (the headless shell sends none).
    context = browser.new_context(accept_downloads=True, **{"viewport": {"width": 1400, "height": 900},
                                                             "locale": "en-US", **context_args})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(playground.url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return context, page, errors


@pytest.fixture
def page(browser, playground):
    context, page, errors = _open_page(browser, playground)
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone(browser, playground):
    """The page at phone width, in a browser whose own zone is not the bot's."""
    context, page, errors = _open_page(browser, playground, viewport=PHONE, is_mobile=True, has_touch=True,
                                       timezone_id="America/New_York")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def be(page, person: str) -> None:
    page.get_by_label("You are").select_option(person)


def open_channel(page, name: str) -> None:
    page.locator(".channel-link", has_text=name).first.click()
    expect(page.locator("#channel-name")).to_contain_text(name)


def send(page, text: str) -> None:
    box = page.get_by_role("textbox", name=re.compile("^Message"))
    box.fill(text)
    page.get_by_role("button", name="Send").click()
    expect(box).to_have_value("")  # cleared once the bot has answered


def declare(page, title_fr: str, title_en: str, slug: str) -> None:
    open_channel(page, "#ops")
    send(page, f"/incident declare P3 FR {title_fr} EN {title_en}")
    # The reply only the declarer sees links the new channel: follow the link.
    page.locator(".ephemeral a.channel-mention", has_text=slug).click()
    expect(page.locator("#channel-name")).to_contain_text(slug)


def timeline(playground, ref: str) -> list[dict]:
    db = playground.database
    out = forked.run(["-m", "bot", "timeline", ref, "--json"], cwd=playground.cwd,
                     env={"DATABASE_URL": f"sqlite:///{db}", "INCIDENT_PREFIX": "TSR", "PATH": "/usr/bin:/bin",
                          "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["entries"]


def ref_of(page) -> str:
    return re.match(r"#?(tsr-\d+)", page.locator("#channel-name").inner_text()).group(1).upper()


def test_declare_then_a_bilingual_update(page):
    be(page, "UALEX")
    declare(page, "Lenteurs du back-office", "Back-office slowness", "lenteurs-du-back-office")
    header = page.locator("#messages .message").first
    expect(header.locator(".block-header")).to_contain_text("Lenteurs du back-office / Back-office slowness")
    send(page, "/incident update identified FR Un index manquait sur la base. EN A database index was missing.")
    update = page.locator("#messages .message", has_text="A database index was missing.").last
    expect(update).to_contain_text("Un index manquait sur la base.")
    expect(update.locator("strong", has_text="FR")).to_have_count(1)  # mrkdwn *FR* shown bold
    # The French stakeholders' channel gets the French text only, in the announcement's thread.
    open_channel(page, "#incidents-fr")
    announcement = page.locator("#messages .message", has_text="Lenteurs du back-office").last
    announcement.locator(".replies").click()
    thread = page.locator("#panel-body")
    expect(thread).to_contain_text("Un index manquait sur la base.")
    expect(thread).not_to_contain_text("A database index was missing.")


def _entry_once(playground, ref: str, text: str, done, timeout: float = 20) -> dict | None:
    """The timeline entry whose text has `text`, once `done(entry)` holds (or the last seen)."""
    deadline, entry = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        entry = next((e for e in timeline(playground, ref) if text in (e["text"] or "")), None)
        if entry and done(entry):
            break
        time.sleep(0.3)
    return entry


@pytest.mark.parametrize("button, title, said_text, marked", [
    ("Add :pushpin: reaction (timeline)",
     ("Erreurs 502 sur la passerelle", "502 errors on the gateway", "erreurs-502-sur-la-passerelle"),
     "Bascule vers la base de secours lancée", lambda e: e["key"]),
    ("Add :rotating_light: reaction (alert)",
     ("Alertes sur la passerelle", "Gateway alerts", "alertes-sur-la-passerelle"),
     "PagerDuty : passerelle en erreur", lambda e: e["key"] and e["data"].get("alert")),
], ids=["pushpin makes a key moment", "rotating_light marks the alert"])
def test_a_reaction_marks_a_message_on_the_timeline(page, playground, button, title, said_text, marked):
    be(page, "UCAMILLE")
    declare(page, *title)
    ref = ref_of(page)
    send(page, said_text)
    said = page.locator("#messages .message", has_text=said_text).last
    said.get_by_role("button", name=button).click()
    chip = said.locator(".reaction")
    expect(chip).to_contain_text("1")
    expect(chip).to_have_attribute("aria-pressed", "true")
    entry = _entry_once(playground, ref, said_text, marked)
    assert entry is not None and marked(entry), f"the reaction did not mark the message: {entry}"


def test_declare_form_shows_the_bots_inline_error_then_declares(page):
    be(page, "UCAMILLE")
    open_channel(page, "#ops")
    send(page, "/incident declare")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Déclarer un incident")  # Camille's Slack is in French
    title = dialog.locator("[data-block-id=title_fr] input")
    impact = dialog.locator("[data-block-id=impact_start] input")
    # A required field left empty: the client refuses before anything is sent, as Slack's does.
    dialog.locator("button[type=submit]").click()
    expect(dialog.locator("[data-block-id=title_fr] .field-error")).not_to_be_empty()
    title.fill("Paiements refusés en magasin")
    impact.fill("32h99")
    dialog.locator("button[type=submit]").click()
    # The bot answers response_action: errors; the message appears under that field.
    error = dialog.locator("[data-block-id=impact_start] .field-error")
    expect(error).to_contain_text("32h99")
    expect(impact).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_value("Paiements refusés en magasin")  # nothing typed is lost
    impact.fill("")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".channel-link", has_text="paiements-refuses-en-magasin")).to_have_count(1)


def test_a_button_in_a_reply_opens_a_form(page):
    be(page, "UALEX")
    declare(page, "Retards de notifications", "Delayed notifications", "retards-de-notifications")
    send(page, "/incident update monitoring EN Notifications are flowing again.")
    reply = page.locator(".ephemeral", has_text="Update posted").last  # Alex's Slack is in English
    expect(reply).to_contain_text("French")
    reply.get_by_role("button", name="Add translation").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.locator("[data-block-id=text_fr] textarea").fill("Les notifications repartent.")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text("Les notifications repartent.")


def test_the_home_tab_lists_incidents_and_its_button_opens_the_update_form(page):
    be(page, "UALEX")
    declare(page, "Portail marchand lent", "Slow merchant portal", "portail-marchand-lent")
    page.get_by_role("button", name=re.compile("Home tab")).click()
    panel = page.locator("#panel")
    expect(panel).to_contain_text("Open incidents")  # Alex reads English
    expect(panel).to_contain_text("Slow merchant portal")
    panel.get_by_role("button", name="Post an update").last.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Status update")


def test_the_example_postmortem_as_canvas_and_file(page):
    open_channel(page, "#tsr-2641-")
    page.get_by_role("button", name="Canvas").click()
    canvas = page.locator("#panel-body .canvas")
    expect(canvas.locator("h3, h4").first).to_be_visible()
    expect(canvas).to_contain_text("Référence incident TSR-2641")
    expect(canvas.locator("strong", has_text="4 décembre 12h08 : début de l’incident.")).to_have_count(1)
    expect(canvas.locator("table th", has_text="Symptômes")).to_have_count(1)
    with page.expect_download() as download:
        page.locator("a.file-link", has_text="TSR-2641-postmortem.md").click()
    assert download.value.suggested_filename == "TSR-2641-postmortem.md"
    markdown = open(download.value.path(), encoding="utf-8").read()
    assert "* **4 décembre 12h08 : début de l’incident.**" in markdown
    assert "* **4 December 12:08pm: start of the incident.**" in markdown


def test_replies_only_for_the_caller(page):
    be(page, "USAM")
    open_channel(page, "#ops")
    send(page, "/incident help")
    expect(page.locator(".ephemeral")).to_contain_text("/incident")
    be(page, "ULEA")
    expect(page.locator(".ephemeral")).to_have_count(0)


def test_message_text_cannot_inject_markup(page):
    be(page, "ULEA")
    open_channel(page, "#ops")
    send(page, 'Regardez <img src=x onerror="document.body.dataset.pwned=1"> et *ceci* '
               '<script>document.body.dataset.pwned=1</script> `code`')
    said = page.locator("#messages .message", has_text="Regardez").last
    expect(said).to_contain_text("onerror")  # shown as text
    expect(said.locator("strong", has_text="ceci")).to_have_count(1)
    expect(said.locator("code", has_text="code")).to_have_count(1)
    assert said.locator("img, script").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None


def test_thread_replies_and_pins(page):
    be(page, "USAM")
    open_channel(page, "#incidents-en")
    page.locator("#messages .message", has_text="TSR-2641").first.get_by_role("button", name="Reply in thread").click()
    thread = page.locator("#panel-body")
    expect(thread).to_contain_text("This incident has been resolved.")  # the example's updates, in the thread
    page.get_by_role("textbox", name="Reply in thread").fill("Thanks, we will tell the merchants.")
    page.get_by_role("button", name="Send reply").click()
    expect(thread.locator(".message").last).to_contain_text("Thanks, we will tell the merchants.")
    expect(thread.locator(".message").last.locator(".author")).to_have_text("Sam Taylor")
    open_channel(page, "#tsr-2641-")
    page.get_by_role("button", name=re.compile("Pins")).click()
    expect(page.locator("#panel-title")).to_contain_text("Pinned")
    expect(page.locator("#panel-body .block-header").first).to_contain_text("TSR-2641")


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_at_phone_width_the_channel_gets_the_width_and_the_canvas_closes_back_to_it(phone):
    """390 px: no sidebar column eating the messages, no sideways scrolling, the canvas a closable sheet."""
    open_channel(phone, "#tsr-2641-")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _box(phone, "#messages")["width"] >= 360
    assert _box(phone, ".sidebar")["height"] <= 80  # a strip of channels, not a column
    send_box = _box(phone, "#send")
    assert send_box["x"] + send_box["width"] <= PHONE["width"]
    phone.get_by_role("button", name="Canvas").click()
    panel = _box(phone, "#panel")
    assert panel["x"] == 0 and panel["width"] == PHONE["width"]
    expect(phone.locator("#panel-body .canvas")).to_contain_text("TSR-2641")
    phone.get_by_role("button", name="Close panel").click()
    expect(phone.locator("#panel")).to_be_hidden()
    expect(phone.locator("#channel-name")).to_be_visible()
    expect(phone.locator("#channel-name")).to_be_in_viewport()


def test_message_times_are_in_the_bots_zone_not_the_browsers(phone):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    open_channel(phone, "#tsr-2641-")
    stamp = phone.locator("#messages .message .time").first
    at = datetime.fromisoformat(stamp.get_attribute("datetime").replace("Z", "+00:00"))
    assert stamp.inner_text() == at.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")


def test_a_pipe_in_an_action_stays_in_its_canvas_cell(page):
    be(page, "UCAMILLE")
    open_channel(page, "#tsr-2641-")
    send(page, "/incident action FR Lent | très lent => Ajouter | retirer EN Slow | very slow => Add | remove")
    send(page, "/incident postmortem")
    page.get_by_role("button", name="Canvas").click()
    row = page.locator("#panel-body .canvas table tr", has_text="très lent").first
    expect(row.locator("td")).to_have_count(2)
    expect(row.locator("td").first).to_have_text("Lent | très lent")
    expect(row.locator("td").last).to_have_text("Ajouter | retirer")


def test_the_status_page_beside_the_playground_in_both_languages_and_on_a_phone(page, phone):
    """The playground's link opens the public page of the example incident, published on start."""
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Public status page").click()
    public = opened.value
    public.wait_for_load_state()
    expect(public.locator("h1")).to_contain_text("Perturbations plateforme de paiement")
    expect(public.locator("body")).to_contain_text("The exact origin, linked to an external provider")
    expect(public.locator("body")).to_contain_text("lasting 5h 22m")
    with public.expect_navigation():
        public.locator("nav a[hreflang=fr]").click()
    expect(public.locator("html")).to_have_attribute("lang", "fr")
    expect(public.locator("body")).to_contain_text("d’une durée de 5 h 22 min")
    expect(public.locator("body")).to_contain_text("L’origine exacte est liée à un prestataire externe")
    with public.expect_navigation():
        public.locator("nav a[hreflang=en]").click()
    expect(public.locator("html")).to_have_attribute("lang", "en")

    with phone.context.expect_page() as opened:
        phone.get_by_role("link", name="Public status page").click()
    small = opened.value
    small.wait_for_load_state()
    expect(small.locator("body")).to_contain_text("E-commerce processing")
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    small.goto(small.url.split("/status")[0] + "/status")  # the page with every component's 90 days
    expect(small.locator("body")).to_contain_text("E-commerce processing")
    assert small.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
