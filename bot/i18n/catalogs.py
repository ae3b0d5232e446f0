"""Finding and compiling the catalogs of the configured languages, once, at start."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

import bot
from bot.i18n.lang import Lang

DOMAIN = "messages"


def builtin_dirs() -> list[Path]:
    """``locales/`` beside the package (source checkout), then ``bot/locales`` (inside a wheel)."""
    package = Path(bot.__file__).parent
    return [package.parent / "locales", package / "locales"]


def catalog_path(directory: Path, code: str) -> Path:
    return Path(directory) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def parse_locale(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as e:
        raise ValueError(f"unknown language code {code!r}: {e}") from e


def load(code: str, dirs: Iterable[Path]) -> tuple[Translations | NullTranslations, Locale]:
    """Compile the first ``<dir>/<code>/LC_MESSAGES/messages.po`` found, in memory.

    Returns the translations and the CLDR locale that formats this language: the catalog's
    ``Language`` header (``en_GB`` for our English), else the code itself. A missing catalog is an
    error, except for English whose msgids are the English text already.
    """
    paths = [catalog_path(d, code) for d in dirs]
    for path in paths:
        if path.is_file():
            with path.open("rb") as f:
                catalog = read_po(f, domain=DOMAIN)
            mo = BytesIO()
            write_mo(mo, catalog)  # fuzzy entries are left out, as gettext does
            mo.seek(0)
            return Translations(mo, domain=DOMAIN), catalog.locale or parse_locale(code)
    locale = parse_locale(code)
    if locale.language == "en":
        return NullTranslations(), locale
    looked = ", ".join(str(p) for p in paths)
    raise ValueError(f"no catalog for language {code!r}; looked for {looked}")


class Catalogs:
    """The configured languages, in order, each compiled once; pick one per message with ``lang()``."""

    def __init__(
        self,
        languages: Iterable[str] = ("fr", "en"),
        timezone: str | ZoneInfo = "Europe/Paris",
        extra_dirs: Iterable[str | Path] = (),
    ):
        self.languages = tuple(code.strip().lower() for code in languages)
        if not self.languages:
            raise ValueError("at least one language is required")
        self.tz = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        self.dirs = builtin_dirs() + [Path(d) for d in extra_dirs]
        self._langs: dict[str, Lang] = {}
        for code in self.languages:
            translations, locale = load(code, self.dirs)
            self._langs[code] = Lang(code, locale, self.tz, translations)

    def lang(self, code: str | None = None) -> Lang:
        """The language ``code`` (``fr``, ``FR``, ``fr-FR``); anything else gives the first configured one."""
        key = (code or "").strip().lower().replace("-", "_")
        found = self._langs.get(key) or self._langs.get(key.split("_")[0])
        return found or self._langs[self.languages[0]]

    def __iter__(self) -> Iterator[Lang]:
        """Every configured language, in the configured order."""
        return (self._langs[code] for code in self.languages)

    def __contains__(self, code: str) -> bool:
        return code.strip().lower() in self._langs
