"""Registers (sổ văn bản): numbers per agency, year and direction, never reused and without gaps.

The register row is locked (SELECT … FOR UPDATE) until the caller's transaction commits, so two clerks issuing at
once get consecutive numbers, and a rolled-back issue gives its number back instead of leaving a hole.
"""

from django.db import IntegrityError, transaction

from tinhso.core.text import fold
from tinhso.org.choices import AgencyKind
from tinhso.org.models import Agency

from .choices import DocumentType, NotationStyle
from .models import DocumentRegister, RegisterSettings

_KIND_ABBREVIATIONS = {AgencyKind.PROVINCIAL_COMMITTEE: "UBND", AgencyKind.COMMUNE_COMMITTEE: "UBND",
                       AgencyKind.DISTRICT_COMMITTEE: "UBND", AgencyKind.PROVINCIAL_COUNCIL: "HĐND"}
# Words after which an agency name names its place ("Sở Tư pháp tỉnh Thanh Hóa" → STP).
_PLACE_WORDS = {"tinh", "thanh pho", "xa", "phuong", "huyen", "dac khu"}


def default_abbreviation(agency: Agency) -> str:
    if agency.kind in _KIND_ABBREVIATIONS:
        return _KIND_ABBREVIATIONS[agency.kind]
    words = agency.name.split()
    kept = []
    for i, word in enumerate(words):
        if fold(word) in _PLACE_WORDS or fold(" ".join(words[i:i + 2])) in _PLACE_WORDS:
            break
        kept.append(word)
    return "".join(w[0].upper() for w in kept if w[0].isalpha())[:30] or agency.identifier_code


def settings_for(agency: Agency) -> tuple[str, str]:
    row = RegisterSettings.objects.filter(agency=agency).first()
    if row:
        return row.abbreviation, row.style
    return default_abbreviation(agency), NotationStyle.STATE


def notation_for(*, agency: Agency, doc_type: str) -> str:
    """What follows the number: "QĐ-UBND" (→ 176/QĐ-UBND), a Công văn's "UBND", or Party style "-NQ/TU"."""
    abbreviation, style = settings_for(agency)
    if style == NotationStyle.PARTY:
        return f"-{doc_type}/{abbreviation}"
    if doc_type == DocumentType.CONG_VAN:
        return abbreviation
    return f"{doc_type}-{abbreviation}"


def take_number(*, agency: Agency, year: int, direction: str) -> tuple[DocumentRegister, int]:
    """The next number of the register; must run inside the transaction that stores the document."""
    assert transaction.get_connection().in_atomic_block, "take_number needs the caller's transaction"
    for attempt in range(5):
        try:
            with transaction.atomic():
                register, _ = DocumentRegister.objects.select_for_update().get_or_create(
                    agency=agency, year=year, direction=direction)
            break
        except IntegrityError:  # another clerk created this year's register first: lock theirs
            if attempt == 4:
                raise
    register.last_number += 1
    register.save(update_fields=["last_number"])
    return register, register.last_number
