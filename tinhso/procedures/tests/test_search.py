"""The retrieval engine on the demo catalogue, with the citizens' queries of issue 14."""

import json

import pytest

from tinhso.procedures import search
from tinhso.procedures.demo import DEMO_FILE, load_demo_procedures
from tinhso.procedures.models import SearchSynonym
from tinhso.procedures.synonym_seed import seed_synonyms

LAND_CERTIFICATE = "1.013978"
COMPANIES = {"2.001610", "2.001199"}


@pytest.fixture
def demo_catalogue(world):
    seed_synonyms()  # a transactional test before this one flushed what the migration seeded
    keys = {key for rec in json.loads(DEMO_FILE.read_text(encoding="utf-8")) for key in rec["agencies"]}
    load_demo_procedures(agencies_by_key={key: world.justice for key in keys - {"ubnd_xa"}},
                         commune_agencies=[world.commune_committee, world.other_commune_committee])
    return world


def _first(query: str) -> str | None:
    hits = search.search(query).hits
    return hits[0].row.code if hits else None


def _api_codes(client, query: str) -> list[str]:
    response = client.get("/api/v1/procedures", {"search": query})
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


@pytest.mark.smoke
@pytest.mark.parametrize("query, expected", [
    ("so do", LAND_CERTIFICATE),
    ("so hong", LAND_CERTIFICATE),
    ("sổ đỏ", LAND_CERTIFICATE),
    ("giay chung nhan quyen su dung dat", LAND_CERTIFICATE),
    ("dang ki khai sinh", "1.001193"),
    ("xin giay phep xay dung", "1.009994"),
    ("khai sinh cho con", "1.001193"),
    ("làm giấy khai sinh cho con cần những giấy tờ gì?", "1.001193"),
    ("bằng lái", "3.000347"),
    ("giay doc than", "1.004873"),
    ("dăng ky kết hon", "1.000894"),
    ("khai sihn", "1.001193"),                 # a typo
    ("ly lich tu phap", "2.000488"),
    ("lí lịch tư pháp", "2.000488"),           # i/y
])
def test_citizens_queries_find_the_right_procedure_first(demo_catalogue, query, expected):
    assert _first(query) == expected


@pytest.mark.smoke
@pytest.mark.parametrize("query", ["dang ky doanh nghiep", "mở công ty"])
def test_company_queries_find_company_registration_first(demo_catalogue, query):
    assert _first(query) in COMPANIES


@pytest.mark.smoke
def test_catalogue_api_ranks_the_land_use_certificate_first_for_so_do_and_so_hong(demo_catalogue):
    client = demo_catalogue.client_for("anonymous")
    for query in ("so do", "so hong"):
        assert _api_codes(client, query)[0] == LAND_CERTIFICATE


def test_question_words_are_intent_not_required_words(demo_catalogue):
    parsed = search.search("đăng ký kết hôn ở đâu, mất bao lâu, lệ phí bao nhiêu, làm online được không").query
    assert parsed.intents == ["where", "time", "fees", "online"]
    assert [g.word for g in parsed.groups if g.required] == ["dang", "ki", "ket", "hon"]


def test_i_and_y_spellings_are_one_word():
    assert search.words("Đăng kí Lý lịch") == search.words("dang ky li lich") == ["dang", "ki", "li", "lich"]
    assert search.words("tuy huy hay y tế") == ["tuy", "huy", "hay", "y", "te"]


def test_a_synonym_added_by_the_province_is_used_at_once(demo_catalogue):
    # 2.000635 is "Cấp bản sao trích lục hộ tịch" in the corrected demo catalogue (issue 8, point 5).
    assert _first("giấy kết hôn cũ") != "2.000635"
    SearchSynonym.objects.create(phrase="giấy kết hôn cũ", expansion="cấp bản sao trích lục hộ tịch")
    assert _first("giấy kết hôn cũ") == "2.000635"


@pytest.mark.smoke
def test_a_search_without_result_suggests_fields_and_close_matches(demo_catalogue):
    data = demo_catalogue.client_for("anonymous").get("/api/v1/procedures", {"search": "khai sinh karaoke"}).json()
    assert data["total"] == 0 and data["items"] == []
    suggested = {p["code"] for p in data["suggestions"]["procedures"]}
    assert {"1.001193", "1.001029"} <= suggested
    assert {"ho-tich", "van-hoa"} <= {f["code"] for f in data["suggestions"]["fields"]}


def test_the_page_shows_suggestions_when_nothing_matches(demo_catalogue):
    response = demo_catalogue.client_for("anonymous").get("/thu-tuc/", {"q": "khai sinh karaoke"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Có thể bạn tìm" in html and "Đăng ký khai sinh" in html and "Xem theo lĩnh vực" in html


def test_unknown_words_only_find_nothing_but_suggest_the_largest_fields(demo_catalogue):
    result = search.search("qwxz zzkq")
    assert result.hits == [] and len(result.fields) == 5


def test_an_overlapping_longer_synonym_wins_over_a_shorter_one(demo_catalogue):
    # "làm sổ" (household registration) must not swallow "sổ đỏ" (the land-use certificate).
    assert _first("làm sổ đỏ lần đầu cần giấy tờ gì") == LAND_CERTIFICATE


def test_the_catalogue_page_ranks_by_relevance(demo_catalogue):
    html = demo_catalogue.client_for("anonymous").get("/thu-tuc/", {"q": "so hong"}).content.decode()
    rows = html.split("<tbody>", 1)[1]
    assert rows.index("/thu-tuc/1.013978/") < min(rows.index(f"/thu-tuc/{code}/") for code in ("1.012753", "1.013993"))
    assert "xếp theo mức độ phù hợp" in html
