"""The one shape of a refusal: a stable `code` the edge turns into a reply in the person's
language, and the `params` that fill it in. Each kind below names where it comes from."""

from __future__ import annotations


class Refusal(Exception):
    """Something a person asked that is refused or misread: told to them, never logged as a failure."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params
