"""Finding and compiling the catalogs of the configured languages, once, at start."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import cached_property, lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

import bot
from bot.core.timeparse import FRENCH_ENGLISH, TimeWords
from bot.i18n.lang import Lang

DOMAIN = "messages"

log = logging.getLogger(__name__)


def builtin_dirs() -> list[Path]:
    """``locales/`` beside the package (source checkout), then ``bot/locales`` (inside a wheel)."""
    package = Path(bot.__file__).parent
    return [package.parent / "locales", package / "locales"]


def catalog_path(directory: Path, code: str) -> Path:
    return Path(directory) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def find_catalog(code: str, dirs: Iterable[Path]) -> Path | None:
    """The first ``<dir>/<code>/LC_MESSAGES/messages.po`` that exists, else None."""
    return next((p for p in (catalog_path(d, code) for d in dirs) if p.is_file()), None)


def needs_catalog(code: str) -> bool:
    """Every language but English needs a catalog (English msgids are the English text)."""
    return parse_locale(code).language != "en"


def missing_catalogs(codes: Iterable[str], extra_dirs: Iterable[str | Path] = ()) -> list[str]:
    """The languages among ``codes`` that have no catalog in the shipped folders nor ``extra_dirs``."""
    dirs = builtin_dirs() + [Path(d) for d in extra_dirs]
    return [c for c in codes if needs_catalog(c) and find_catalog(c, dirs) is None]


def template_ids() -> set[str]:
    """The msgids of the shipped template (empty when it is not shipped)."""
    for directory in builtin_dirs():
        path = Path(directory) / f"{DOMAIN}.pot"
        if path.is_file():
            with path.open("rb") as f:
                return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f, domain=DOMAIN) if m.id}
    return set()


def untranslated(catalog, template: set[str]) -> list[str]:
    """The template's msgids this catalog leaves in English (missing, empty or fuzzy), sorted."""
    done = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else (m.string,))
    }
    return sorted(template - done)


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
    dirs = list(dirs)
    path = find_catalog(code, dirs)
    if path is not None:
        stat = path.stat()
        mo, locale, missing = _compiled(str(path), stat.st_mtime_ns, stat.st_size, needs_catalog(code))
        if missing:
            # Partial catalogs work (English fills the gaps) but are said once, at start.
            log.warning("%s: %d message(s) not translated in %s, shown in English "
                        "(list them with `python -m bot.i18n check --lang %s`)", code, missing, path, code)
        return Translations(BytesIO(mo), domain=DOMAIN), locale or parse_locale(code)
    locale = parse_locale(code)
    if not needs_catalog(code):
        return NullTranslations(), locale
    looked = ", ".join(str(catalog_path(d, code)) for d in dirs)
    raise ValueError(f"no catalog for language {code!r}; looked for {looked}")


@lru_cache(maxsize=32)
def _compiled(path: str, mtime_ns: int, size: int, check: bool) -> tuple[bytes, Locale | None, int]:
    """A catalog compiled in memory, once per version of its file (a process builds several bots in
    tests and the playground; reading and compiling a .po costs about 15 ms): the .mo bytes, the
    catalog's locale, and how many of the template's messages it leaves untranslated."""
    with open(path, "rb") as f:
        catalog = read_po(f, domain=DOMAIN)
    missing = len(untranslated(catalog, template_ids())) if check else 0
    mo = BytesIO()
    write_mo(mo, catalog)  # fuzzy entries are left out, as gettext does
    return mo.getvalue(), catalog.locale, missing


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

    @cached_property
    def time_words(self) -> TimeWords:
        """The words of typed times in every configured language (and always French and English)."""
        words = FRENCH_ENGLISH
        for lang in self:
            words = words.merged(lang.time_words())
        return words

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
