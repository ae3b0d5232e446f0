"""Row ids read back from what Slack echoes (button values, a form's private_metadata)."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the databases' INTEGER: a bigger number names no row and must not reach SQL


def row_id(value: object) -> int | None:
    """The id in `value` ("12", 12), or None when it cannot be a row's id."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def row_ids(value: str, count: int) -> list[int] | None:
    """`count` ids joined by ':' ("12:40"), or None if any is missing or impossible."""
    parts = value.split(":") if isinstance(value, str) else []
    ids = [row_id(p) for p in parts[:count]]
    return ids if len(ids) == count and None not in ids else None  # type: ignore[return-value]
