"""Short ASCII keys made from the names people type (organisations, roles, phases, speakers), unique in a set."""

from __future__ import annotations

import re
import unicodedata

_KEY_MAX = 64


def make_key(text: str, taken: set[str], fallback: str, *, lower: bool = True) -> str:
    """An ASCII key (letters, digits, - _ .) made from a name, unique among ``taken`` regardless of case."""
    text = unicodedata.normalize("NFKD", text.casefold() if lower else text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-._")[: _KEY_MAX - 4] or fallback
    if not base[0].isalnum():
        base = f"{fallback}-{base}"[: _KEY_MAX - 4]
    key, counter = base, 2
    lowered = {t.casefold() for t in taken}
    while key.casefold() in lowered:
        key = f"{base}-{counter}"
        counter += 1
    taken.add(key)
    return key
