"""The machine's Chromium (Debian's package), launched headless by Playwright for the browser tests:
never a browser of Playwright's own (`playwright install` is not used)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

# Debian's old headless shell (package chromium-headless-shell) runs the same pages with about half
# the CPU of the full browser in headless mode (the browser tests: 20 CPU-seconds against 38); the
# full browser (package chromium) when the shell is not there. The shell sends no language of its
# own (the full browser sent en-US): the tests give their pages one.
SHELLS = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
CHROMIUM = next((path for path in SHELLS if os.path.exists(path)), SHELLS[-1])
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]


@contextmanager
def launched() -> Iterator[object]:
    """A headless Chromium, closed on the way out."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()
