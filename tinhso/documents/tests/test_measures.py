"""The documents' own measures, and the indicators the engine computes from them."""

import pytest
from django.utils import timezone

from tinhso.documents import measures, services
from tinhso.documents.choices import SecurityLevel

from .helpers import draft, signed_and_issued


def paper_issued(desk):
    """A confidential document: numbered in the register, signed and sealed on paper (no digital signature)."""
    w = desk.world
    doc = draft(desk, security_level=SecurityLevel.CONFIDENTIAL)
    services.document_submit_review(actor=w.users["processing_officer"], document_id=doc.pk)
    services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk, key_id=None)
    return services.document_issue(actor=desk.clerk, document_id=doc.pk, key_id=None)


def test_a_generated_set_of_signed_and_unsigned_documents_gives_the_signed_share_exactly(desk):
    w = desk.world
    signed = [signed_and_issued(desk) for _ in range(3)]
    unsigned = [paper_issued(desk) for _ in range(2)]
    services.document_send(actor=desk.clerk, document_id=signed[0].pk)
    today = timezone.localdate()
    assert [d.number_notation for d in signed + unsigned] == [f"0{i}/KH-STP" for i in range(1, 6)]
    share = measures.signed_share_by_agency(agency_ids={w.justice.pk}, start=today, end=today)
    assert share == {w.justice.pk: (3, 5)}
    exchanged = measures.electronic_share_by_agency(agency_ids={w.justice.pk}, start=today, end=today)
    assert exchanged == {w.justice.pk: (1, 5)}

    from tinhso.core.periods import year_period
    from tinhso.indicators import services as indicator_services
    from tinhso.indicators.models import IndicatorValue

    indicator_services.definitions_load(actor=None)
    indicator_services.computed_values_refresh(actor=None, root=w.province, periods=[year_period(today.year)])
    value = IndicatorValue.objects.filter(indicator__code="cq_van_ban_ky_so_rate", agency=w.justice).latest("id")
    assert value.value == 60.0 and (value.numerator, value.denominator) == (3.0, 5.0)
    province = IndicatorValue.objects.filter(indicator__code="cq_van_ban_lien_thong_rate", unit=w.province).latest("id")
    assert province.value == 20.0


@pytest.mark.smoke
def test_a_confidential_document_cannot_skip_the_digital_signature_unless_it_is_confidential(desk):
    from tinhso.core.exceptions import ValidationError

    w = desk.world
    doc = draft(desk)
    services.document_submit_review(actor=w.users["processing_officer"], document_id=doc.pk)
    with pytest.raises(ValidationError):
        services.document_leader_sign(actor=w.users["agency_leader"], document_id=doc.pk, key_id=None)


@pytest.mark.smoke
def test_median_handling_days(world):
    assert measures.median([1.0, 3.0, 10.0]) == 3.0
    assert measures.median([]) is None
