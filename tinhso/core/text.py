"""Vietnamese text folding: people type without diacritics, so every searchable name has a folded key."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """'Xã Hoằng Hóa' -> 'xa hoang hoa'; 'Đồng' -> 'dong'. Punctuation becomes a space."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", stripped.lower())).strip()


def search_key(*parts: str | None) -> str:
    """The stored key: folded words framed by spaces so a query word can be matched at a word start."""
    folded = " ".join(fold(p) for p in parts if p)
    return f" {folded} " if folded else ""


def query_words(query: str | None) -> list[str]:
    return fold(query).split()


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
