"""The no-op extraction marker, kept apart so any module can import it without cycles."""


def N_(message: str) -> str:
    """Mark a module-level constant for extraction; translate it later with ``lang._(constant)``."""
    return message
