"""E-documents at scale. Prints, asserts nothing.

Run: `scripts/with-postgres.sh .venv/bin/python bench/bench_documents.py`
(TINHSO_BENCH_DOC_ROWS=100000 TINHSO_BENCH_EXCHANGE=1000 for a quick try).

1. sign + verify per document: the leader's PAdES signature, the records office's agency signature (with the
   number from the register), and the verification of both (pyHanko), median over 10 documents;
2. exchange of 10,000 documents: build each edXML package, read and validate it against the schema, register it
   at the recipient (incoming register, duplicate check, verification of the attachment, status back);
3. search latency over 1,000,000 document records: a page of results and its count for typed queries with and
   without diacritics (trigram index on PostgreSQL).
"""

import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta

import common

ROWS = int(os.environ.get("TINHSO_BENCH_DOC_ROWS", 1_000_000))
EXCHANGE = int(os.environ.get("TINHSO_BENCH_EXCHANGE", 10_000))
WORDS = ["kế hoạch", "chuyển đổi số", "cải cách hành chính", "phòng chống dịch", "xây dựng nông thôn mới",
         "giáo dục pháp luật", "an toàn thông tin", "thủ tục hành chính", "quy hoạch", "ngân sách", "đất đai",
         "tiêm chủng", "hộ tịch", "chứng thực", "thanh tra", "khoa học công nghệ", "du lịch", "môi trường"]


def main() -> None:
    common.setup_django()
    from django.db import connection
    from django.utils import timezone

    from tinhso.accounts.choices import Role
    from tinhso.accounts.models import RoleAssignment, User
    from tinhso.core.text import fold, search_key
    from tinhso.documents import edxml, selectors, services
    from tinhso.documents.choices import KeyOwner
    from tinhso.documents.filters import DocumentFilter
    from tinhso.documents.models import Document
    from tinhso.documents.pdf import text_pdf
    from tinhso.documents.tests.pki import PASSPHRASE, make_ca

    province, agencies, _procedures, admin, _officer = common.build_province()
    justice, health = agencies[3], agencies[4]
    leader = User.objects.create_user(username="bench.leader", password="x", full_name="Lãnh Đạo Bench")
    clerk = User.objects.create_user(username="bench.clerk", password="x", full_name="Văn Thư Bench")
    RoleAssignment.objects.create(user=leader, role=Role.AGENCY_LEADER, agency=justice)
    RoleAssignment.objects.create(user=clerk, role=Role.PROCESSING_OFFICER, agency=justice)
    ca = make_ca()
    services.trust_root_add(actor=admin, name="CA bench", certificate=ca.pem)
    services.records_officer_grant(actor=admin, agency_code=justice.identifier_code, username=clerk.username)
    for agency in agencies:
        RoleAssignment.objects.get_or_create(user=clerk, role=Role.PROCESSING_OFFICER, agency=agency)
    leader_key = services.signing_key_add(actor=leader, owner=KeyOwner.PERSON, agency_code=justice.identifier_code,
                                          label="cá nhân", pkcs12=ca.pkcs12("Lãnh Đạo Bench"), passphrase=PASSPHRASE)
    agency_key = services.signing_key_add(actor=clerk, owner=KeyOwner.AGENCY, agency_code=justice.identifier_code,
                                          label="cơ quan", pkcs12=ca.pkcs12(justice.name), passphrase=PASSPHRASE)
    pdf = text_pdf(["KẾ HOẠCH", "Triển khai chuyển đổi số năm 2026"])

    print("\n== Documents: sign + verify per document")
    sign_times, verify_times = [], []
    for n in range(10):
        doc = services.document_draft(actor=clerk, agency_code=justice.identifier_code, doc_type="KH",
                                      subject=f"Kế hoạch số {n}", recipients=[health.identifier_code],
                                      main_file=services.CleanFile("kh.pdf", "application/pdf", pdf))
        services.document_submit_review(actor=clerk, document_id=doc.pk)
        start = time.perf_counter()
        services.document_leader_sign(actor=leader, document_id=doc.pk, key_id=leader_key.pk, passphrase=PASSPHRASE)
        doc = services.document_issue(actor=clerk, document_id=doc.pk, key_id=agency_key.pk, passphrase=PASSPHRASE)
        sign_times.append(time.perf_counter() - start)
        with services.main_file(doc).file.open("rb") as fh:
            data = fh.read()
        start = time.perf_counter()
        assert services.verify(data).ok
        verify_times.append(time.perf_counter() - start)
    print(f"  two signatures (each verified once as it is stored): median {statistics.median(sign_times):.3f} s")
    print(f"  verification of both signatures: median {statistics.median(verify_times):.3f} s")

    print(f"\n== Documents: exchange of {EXCHANGE:,} documents (edXML build → validate → register at recipient)")
    attachment = edxml.Attachment("cv.pdf", "application/pdf", text_pdf(["CÔNG VĂN", "Về việc phối hợp"]))
    recipients = agencies[20:]
    start = time.perf_counter()
    for n in range(EXCHANGE):
        to = recipients[n % len(recipients)]
        data = edxml.build_package(edxml.Package(
            document_id=uuid.uuid4().hex, sender=edxml.Organ(justice.identifier_code, justice.name),
            recipients=[edxml.Organ(to.identifier_code, to.name)], code_number=str(n + 1), code_notation="STP-VP",
            place="Thanh Hóa", promulgation_date=date(2026, 11, 30), type_code="CV", type_name="Công văn",
            subject=f"Về việc phối hợp số {n}", signer_position="Giám đốc", signer_name="Lãnh Đạo Bench",
            attachments=[attachment]))
        services.package_import(actor=clerk, agency_code=to.identifier_code, data=data)
    elapsed = time.perf_counter() - start
    print(f"  {EXCHANGE:,} packages in {elapsed:.1f} s: {EXCHANGE / elapsed:,.0f} documents/s "
          f"({1000 * elapsed / EXCHANGE:.1f} ms each)")

    print(f"\n== Documents: search over {ROWS:,} document records")
    rng = random.Random(7)
    table = Document._meta.db_table
    now = timezone.now()
    columns = ["direction", "agency_id", "code_number", "code_notation", "doc_type", "issuing_agency_code",
               "issuing_agency_name", "issued_on", "place", "signer_name", "signer_position", "subject", "urgency",
               "security_level", "steering_type", "status", "source", "recipients", "created_at", "feedback_ref",
               "package_id", "text_content", "search_key", "name_key", "short_key"]
    start = time.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for n in range(ROWS):
            agency = agencies[n % len(agencies)]
            subject = f"Về việc {rng.choice(WORDS)} và {rng.choice(WORDS)} năm {2020 + n % 7}"
            number, notation = str(n % 5000 + 1), f"{rng.choice(['QĐ', 'KH', 'BC', 'TB'])}-UBND"
            copy.write_row(["incoming", agency.pk, number, notation, "CV", "000.00.00.H56", "UBND tỉnh",
                            date(2020, 1, 1) + timedelta(days=n % 2500), "Thanh Hóa", "", "", subject, "normal",
                            "ordinary", 0, "registered", "import", "[]", now, "", "", "",
                            search_key(f"{number}/{notation}", notation, subject, "UBND tỉnh"),
                            fold(f"{number}/{notation}")[:100], fold(subject)[:100]])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    print(f"  loading (COPY, not counted): {time.perf_counter() - start:.1f} s")
    user = clerk
    for query in ("chuyen doi so", "chuyển đổi số", "tiem chung 2023", "176/QĐ", "hộ tịch chứng thực"):
        def run(q=query):
            qs = selectors.document_list(user=user, filters=DocumentFilter(q=q))
            list(qs[:50])
            return qs.count()

        seconds = common.median_seconds(run, runs=3)
        print(f"  “{query}”: {run():,} found, first page + count in {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
