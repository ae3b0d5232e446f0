"""Crisis channel names: ``<prefix>-<number>-<slug>``, e.g. ``tsr-2641-perturbations-plateforme-de-paiement``.

Lower-case ASCII letters and digits joined by single ``-``: accents are folded (NFKD), ligatures spelt
out, other scripts and emoji dropped. Never over Slack's 80 characters: a long title is cut between
words where it can be.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
import unicodedata

MAX_LENGTH = 80

# Letters NFKD does not decompose into ASCII.
_SPELT_OUT = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
     "ł": "l", "Ł": "L", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i"}
)
_SLACK_NAME = re.compile(r"[a-z0-9_-]{1,80}")


def slug(text: str) -> str:
    """``"Panne réseau : cœur 🔥"`` -> ``"panne-reseau-coeur"``."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_SPELT_OUT)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def channel_name(prefix: str, number: int, title: str) -> str:
    """The crisis channel's name; ``tsr-2641`` alone when the title has nothing to keep."""
    head = _cut("-".join(part for part in (slug(prefix), str(number)) if part), MAX_LENGTH)
    title_slug = slug(title)
    if not title_slug:
        return head
    return _cut(f"{head}-{title_slug}", MAX_LENGTH, keep=len(head))


def with_suffix(name: str, n: int) -> str:
    """``name-2``, ``name-3``…, for when the name is taken; the slug is cut to make room."""
    suffix = f"-{n}"
    return _cut(name, MAX_LENGTH - len(suffix)) + suffix


def is_valid_channel_name(name: str) -> bool:
    """Slack's rule: lower-case letters, digits, ``-`` and ``_``, 1 to 80 characters."""
    return _SLACK_NAME.fullmatch(name) is not None


def _cut(name: str, limit: int, *, keep: int = 0) -> str:
    """At most ``limit`` characters, ending between words unless that would drop the first ``keep``
    characters or half the room (one very long word is cut inside rather than dropped)."""
    if len(name) <= limit:
        return name
    cut = name[: limit + 1]  # one more: a "-" right after the limit means the cut falls between words
    boundary = cut.rfind("-")
    if boundary > max(keep, limit // 2):
        return name[:boundary]
    return name[:limit].rstrip("-")


def naming_title(titles: Sequence[str]) -> str:
    """The first title (in language order) that gives a slug: an emoji-only French title falls
    back to the English one instead of leaving the channel nameless."""
    return next((t for t in titles if slug(t)), "")
