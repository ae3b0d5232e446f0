"""Typed times that are readable but probably not what was meant (pure: no Slack, SQL or Babel)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

# A moment this long before the declaration is most likely a date without its year read as last
# year's ("Dec 4 12:08pm" typed in November): it is kept only when the year was typed.
LONG_BEFORE = timedelta(days=7)
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def long_before(at: datetime, declared: datetime | None, typed: str) -> bool:
    """True when `at` is long before `declared` and `typed` (the time as written) names no year."""
    return declared is not None and at < declared - LONG_BEFORE and not _YEAR.search(typed)
