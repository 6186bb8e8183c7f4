"""The procedure catalogue at 2,000 procedures: `GET /api/v1/procedures` (list and search) and the assistant.

Alone: `scripts/with-postgres.sh .venv/bin/python bench/bench_catalogue.py`. Prints, asserts nothing;
`measure()` returns the figures for a caller that collects them.

The catalogue: the demo procedures (151) plus variants of them (the same fields, papers and vocabulary, a qualifier
added to the name) up to TINHSO_BENCH_PROCEDURES (2,000); commune procedures are implemented by 180 commune
committees, so the detail of one lists 180 agencies, as in a real province.

1. the list, page after page (50 items): p50 / p95 in-process through the Django test client, the bytes of a
   page, and the SQL it sends replayed raw (the anchor);
2. search: citizens' queries (with and without diacritics, typos, synonyms), p50 / p95, the same anchor;
3. the assistant's answer to whole questions, p50 / p95.
Targets: list p95 < 50 ms, search p95 < 30 ms.
"""

import os
import time

import common

PROCEDURES = int(os.environ.get("TINHSO_BENCH_PROCEDURES", 2000))
LIST_REQUESTS = int(os.environ.get("TINHSO_BENCH_REQUESTS", 200))
QUALIFIERS = [
    "đối với tổ chức", "đối với cá nhân", "có yếu tố nước ngoài", "trường hợp cấp lại", "trường hợp bị mất",
    "trường hợp bị hỏng", "trường hợp thay đổi thông tin", "trong khu công nghiệp", "trong khu kinh tế",
    "cho người nước ngoài", "cho người đang cư trú ở nước ngoài", "theo thủ tục rút gọn", "lần đầu",
    "đối với doanh nghiệp nhà nước", "đối với hợp tác xã", "đối với hộ kinh doanh", "tại khu vực biên giới",
    "cho đối tượng chính sách", "đối với công trình cấp đặc biệt", "đối với dự án đầu tư công",
    "theo cơ chế một cửa liên thông", "trong trường hợp khẩn cấp", "đối với người có công", "của cơ sở giáo dục",
    "của cơ sở y tế", "theo đề nghị của Ủy ban nhân dân cấp xã", "đối với đơn vị sự nghiệp công lập",
]
SEARCHES = ["so do", "sổ hồng", "giay chung nhan quyen su dung dat", "dang ki khai sinh", "xin giay phep xay dung",
            "khai sinh cho con", "dang ky doanh nghiep", "ly lich tu phap", "chứng thực bản sao", "bằng lái",
            "giay doc than", "dang ky ket hon", "cap lai giay phep lai xe", "khai tu", "ho ngheo",
            "dăng ky kết hon", "thanh lap doanh nghiep", "giấy phép kinh doanh", "1.001193", "tach ho"]
QUESTIONS = ["làm giấy khai sinh cho con cần những giấy tờ gì?", "sổ đỏ làm ở đâu", "dang ky ket hon mat bao lau",
             "lệ phí cấp lý lịch tư pháp bao nhiêu", "xin giấy phép xây dựng nhà ở có làm online được không"]


def build_catalogue() -> tuple[int, int]:
    """The demo catalogue plus its variants; returns (procedures, agencies)."""
    import copy
    import json

    from tinhso.org.choices import AgencyKind, UnitLevel, UnitType
    from tinhso.org.models import AdministrativeUnit, Agency
    from tinhso.procedures.demo import COMMUNE_KEY, DEMO_FILE
    from tinhso.procedures.services import procedures_import

    province = AdministrativeUnit.objects.create(code=common.PROVINCE, official_code=common.PROVINCE,
                                                 name="Tỉnh Thanh Hóa", short_name="Thanh Hóa",
                                                 level=UnitLevel.PROVINCE, unit_type=UnitType.PROVINCE,
                                                 identifier_prefix=common.PREFIX)
    committee = Agency.objects.create(identifier_code=f"000.00.00.{common.PREFIX}", name="UBND tỉnh Thanh Hóa",
                                      kind=AgencyKind.PROVINCIAL_COMMITTEE, unit=province)
    departments = [Agency.objects.create(identifier_code=f"000.00.{n:02d}.{common.PREFIX}", name=f"Sở số {n}",
                                         kind=AgencyKind.DEPARTMENT, unit=province, parent=committee)
                   for n in range(1, common.DEPARTMENTS)]
    communes = []
    for n in range(common.COMMUNES):
        unit = AdministrativeUnit.objects.create(code=f"{16000 + n}", official_code=f"{16000 + n}",
                                                 name=f"Xã Số {n}", short_name=f"Số {n}", level=UnitLevel.COMMUNE,
                                                 unit_type=UnitType.COMMUNE, parent=province)
        communes.append(Agency.objects.create(identifier_code=f"000.{1 + n % 99:02d}.{50 + n // 99}.{common.PREFIX}",
                                              name=f"UBND xã Số {n}", kind=AgencyKind.COMMUNE_COMMITTEE,
                                              unit=unit, parent=committee))
    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    keys = sorted({k for rec in demo for k in rec["agencies"] if k != COMMUNE_KEY})
    by_key = {key: departments[i % len(departments)] for i, key in enumerate(keys)}

    def resolve(key: str):
        return list(communes) if key == COMMUNE_KEY else [by_key.get(key, committee)]

    records = copy.deepcopy(demo)
    n = 0
    while len(records) < PROCEDURES:
        base, qualifier = demo[n % len(demo)], QUALIFIERS[(n // len(demo)) % len(QUALIFIERS)]
        rec = copy.deepcopy(base)
        rec["code"] = f"{base['code']}.{n // len(demo) + 1:02d}"
        rec["name"] = f"{base['name']} {qualifier}"
        records.append(rec)
        n += 1
    procedures_import(actor=None, records=records, agency_resolver=resolve)
    return len(records), len(departments) + len(communes) + 1


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000


def _summary(samples: list[float]) -> str:
    return f"p50 {_pct(samples, 0.5):.1f} ms, p95 {_pct(samples, 0.95):.1f} ms ({len(samples)} requests)"


def _time_requests(client, requests: list[tuple[str, dict]]) -> tuple[list[float], int]:
    samples, size = [], 0
    for path, query in requests:
        start = time.perf_counter()
        response = client.get(path, query)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
        size = max(size, len(response.content))
    return samples, size


def _raw_replay(client, requests: list[tuple[str, dict]]) -> list[float]:
    """The SQL each request sent, executed again without Django: the floor of the request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    for path, query in requests:
        with CaptureQueriesContext(connection) as ctx:
            client.get(path, query)
        statements = [q["sql"] for q in ctx.captured_queries]
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        samples.append(time.perf_counter() - start)
    return samples


def measure() -> dict:
    from django.test import Client

    client = Client()
    figures: dict = {}
    pages = max(1, PROCEDURES // 50)
    list_requests = [("/api/v1/procedures", {"page": 1 + i % pages}) for i in range(LIST_REQUESTS)]
    _time_requests(client, list_requests[:5])  # warm caches
    samples, size = _time_requests(client, list_requests)
    raw = _raw_replay(client, list_requests[:50])
    print(f"\n== Catalogue list, {PROCEDURES:,} procedures, 50 a page (target p95 < 50 ms)")
    print(f"  GET /api/v1/procedures?page=N: {_summary(samples)}; largest page {size / 1000:.1f} KB")
    for label, q in (("p50", 0.5), ("p95", 0.95)):
        common.figure("catalogue", f"GET /api/v1/procedures?page=N, {PROCEDURES:,} procedures, {label}",
                      _pct(samples, q), "ms", anchor_label=f"its SQL replayed raw, {label}", anchor=_pct(raw, q),
                      target="p95 < 50 ms" if label == "p95" else "")
    figures["list"] = {"p50_ms": _pct(samples, 0.5), "p95_ms": _pct(samples, 0.95), "bytes": size,
                       "raw_p50_ms": _pct(raw, 0.5)}

    search_requests = [("/api/v1/procedures", {"search": q}) for q in SEARCHES] * 10
    start = time.perf_counter()
    client.get("/api/v1/procedures", {"search": "khai sinh"})
    print(f"\n== Catalogue search (target p95 < 30 ms); first search builds the index: "
          f"{(time.perf_counter() - start) * 1000:.0f} ms")
    samples, _ = _time_requests(client, search_requests)
    raw = _raw_replay(client, search_requests[:len(SEARCHES)])
    print(f"  GET /api/v1/procedures?search=…: {_summary(samples)}")
    for label, q in (("p50", 0.5), ("p95", 0.95)):
        common.figure("catalogue", f"GET /api/v1/procedures?search=…, {label}", _pct(samples, q), "ms",
                      anchor_label=f"its SQL replayed raw, {label}", anchor=_pct(raw, q),
                      target="p95 < 30 ms" if label == "p95" else "")
    figures["search"] = {"p50_ms": _pct(samples, 0.5), "p95_ms": _pct(samples, 0.95), "raw_p50_ms": _pct(raw, 0.5)}

    from django.urls import NoReverseMatch, reverse
    try:
        ask = reverse("api:assistant_ask")
    except NoReverseMatch:
        return figures
    samples, _ = _time_requests(client, [(ask, {"q": q}) for q in QUESTIONS] * 10)
    print(f"\n== Assistant: GET {ask}?q=… (whole questions): {_summary(samples)}")
    figures["assistant"] = {"p50_ms": _pct(samples, 0.5), "p95_ms": _pct(samples, 0.95)}
    return figures


def main() -> None:
    common.setup_django()
    from django.db import transaction

    with transaction.atomic():
        start = time.perf_counter()
        count, agencies = build_catalogue()
        print(f"catalogue: {count:,} procedures, {agencies} agencies, built in {time.perf_counter() - start:.1f} s")
        measure()
        transaction.set_rollback(True)
    common.write_results(PROCEDURES)


if __name__ == "__main__":
    main()
