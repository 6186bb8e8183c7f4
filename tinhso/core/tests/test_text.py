import pytest

from tinhso.core.text import fold, query_words, search_key

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize(("text", "folded"), [
    ("Thanh Hóa", "thanh hoa"),
    ("Xã Hoằng Hóa", "xa hoang hoa"),
    ("Đặc khu Vân Đồn", "dac khu van don"),
    ("Sở Văn hóa, Thể thao và Du lịch", "so van hoa the thao va du lich"),
    ("  nhiều   khoảng trắng ", "nhieu khoang trang"),
    ("", ""),
])
def test_fold_removes_diacritics_and_punctuation(text, folded):
    assert fold(text) == folded


def test_decomposed_and_composed_vietnamese_fold_the_same():
    composed = "Hòa Bình"
    decomposed = "Ho\u0300a Bi\u0300nh"
    assert fold(composed) == fold(decomposed) == "hoa binh"


def test_search_key_frames_words_for_prefix_matching():
    assert search_key("Xã Hoằng Hóa", "Hoằng Hóa") == " xa hoang hoa hoang hoa "
    assert query_words("XA  hoằng") == ["xa", "hoang"]
