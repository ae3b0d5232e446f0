"""Translations and locale-aware formatting, chosen per message (never process-wide).

    cats = Catalogs(languages=("fr", "en"), timezone="Europe/Paris")
    lang = cats.lang("fr")
    lang._("Declared by {user}", user="<@U1>")

Catalogs live in ``locales/<code>/LC_MESSAGES/messages.po`` and are compiled in memory at start.
``python -m bot.i18n extract`` regenerates them from the code, ``python -m bot.i18n check`` verifies them.
"""

from bot.i18n.markers import N_
from bot.i18n.lang import Lang
from bot.i18n.catalogs import Catalogs

__all__ = ["Catalogs", "Lang", "N_"]
