"""Tests of etl.normalize: every builder on real and edge cases, plus property tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import clock, codes
from etl import normalize as nz
from etl.normalize import normalize_values as run


def one(builder, value, *args):
    return run(builder, [value], *args)[0]


def valid_id(first17: str) -> str:
    return first17 + nz.id_check_char(first17)


# --- text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 0000 1111", "13800001111"),
        ("138-0000-1111", "13800001111"),
        ("１３８　００００　１１１１", "13800001111"),
        ("0478-1234567", "04781234567"),
        ("+86 138 0000 1111", "+8613800001111"),
        ("13800001111", "13800001111"),
        ("13800001111 13900002222", "13800001111 13900002222"),  # two numbers stay two
        ("138 0000 1111（儿子）", "138 0000 1111(儿子)"),  # a note beside it: as written
        ("13800001111.0", "13800001111"),  # a float's text, as pandas writes a CSV (a probe)
        ("04781234567.00", "04781234567"),
        ("13800001111.5", "13800001111.5"),  # no float of a number: as written
        ("  ", None),
        (None, None),
    ],
)
def test_sql_phone(raw, expected):
    assert one(nz.sql_phone, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("王  五", "王五"), ("王\u3000五", "王五"), ("张 三 丰", "张三丰"), ("王五", "王五"),
     ("王五 李四", "王五 李四"), ("Anna  Li", "Anna Li"), (None, None)],
)
def test_sql_names(raw, expected):
    assert one(nz.sql_names, raw) == expected



@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  乌加河镇 ", "乌加河镇"),
        ("乡（镇）", "乡(镇)"),
        ("Ａｂｃ１２３！～", "Abc123!~"),
        ("\u3000联丰\u3000奋斗村\u00a0", "联丰 奋斗村"),
        ("a  \t b\nc", "a b c"),
        ("张 三", "张 三"),
        ("\ufeff户编号", "户编号"),
        ("zero\u200bwidth", "zerowidth"),
        ("x\x0by", "x y"),
        ("", None),
        ("   ", None),
        ("\u3000\t", None),
        (None, None),
    ],
)
def test_sql_text(raw, expected):
    assert one(nz.sql_text, raw) == expected
    assert nz.py_text(raw) == expected


def test_sql_text_keeps_order_and_length():
    values = [f" {i} " if i % 3 else None for i in range(500)]
    assert run(nz.sql_text, values) == [str(i) if i % 3 else None for i in range(500)]


# --- ID numbers ------------------------------------------------------------------------------------


def test_id_check_char_known_examples():
    assert nz.id_check_char("11010519491231002") == "X"  # GB 11643 standard example
    assert valid_id("15082419800101123") == "150824198001011232"
    with pytest.raises(ValueError):
        nz.id_check_char("1234")
    with pytest.raises(ValueError):
        nz.id_check_char("1508241980010112X")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        (" 11010519491231002x ", "11010519491231002X"),
        ("110105 19491231 002X", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("'11010519491231002X", "11010519491231002X"),
        ('="11010519491231002X"', "11010519491231002X"),
        ("1.50824E+17", "1.50824E+17"),
        ("abc", "ABC"),
        ("", None),
        (None, None),
    ],
)
def test_sql_id_number(raw, expected):
    assert one(nz.sql_id_number, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", True),
        (" 110105 19491231 002X ", True),
        (valid_id("15082419800101123"), True),
        (valid_id("15082420000229123"), True),  # leap day
        ("110105194912310021", False),  # wrong check digit
        ("150824198001011233", False),
        (valid_id("15082419800230123"), False),  # 30 February
        (valid_id("15082419801301123"), False),  # month 13
        (valid_id("15082419800100123"), False),  # day 0
        (valid_id("15082419000229123"), False),  # 1900 is not a leap year
        (valid_id("15082418991231123"), False),  # before 1900
        (valid_id("15082420991231123"), False),  # in the future
        ("15082419800101123", False),  # 17 characters
        ("1508241980010112322", False),  # 19 characters
        ("15082419800101123A", False),
        ("X50824198001011232", False),
        ("150824800101123", False),  # old 15-digit ID: no check digit, not valid
        ("1.50824E+17", False),
        ("", None),
        (None, None),
    ],
)
def test_sql_id_valid(raw, expected):
    assert one(nz.sql_id_valid, raw) is expected


def test_sql_id_valid_today_is_not_future():
    today = clock.today()  # the county's day (etl.clock), not the server's
    assert one(nz.sql_id_valid, valid_id(f"150824{today:%Y%m%d}123")) is True
    tomorrow = today + timedelta(days=1)
    assert one(nz.sql_id_valid, valid_id(f"150824{tomorrow:%Y%m%d}123")) is False


@pytest.mark.parametrize(
    ("raw", "birth", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "女"),
        (valid_id("15082419800101123"), date(1980, 1, 1), "男"),
        ("150824198001011230", date(1980, 1, 1), "男"),  # bad check digit: birth and sex still read
        ("150824800101122", date(1980, 1, 1), "女"),  # 15-digit: 19YYMMDD, 15th digit
        (valid_id("15082419800230123"), None, "男"),
        (valid_id("15082420991231124"), None, "女"),
        ("1.50824E+17", None, None),
        ("abc", None, None),
        (None, None, None),
    ],
)
def test_sql_id_birth_date_and_sex(raw, birth, sex):
    assert one(nz.sql_id_birth_date, raw) == birth
    assert one(nz.sql_id_sex, raw) == sex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.50824E+17", True),
        ("1.50824e17", True),
        ("1.50824E17", True),
        ("1.5082419800101E+17", True),
        ("１．５０８２４Ｅ＋１７", True),
        ("150824198001011232", False),
        ("1.5", False),
        ("E+17", False),
        ("", False),
        (None, False),
    ],
)
def test_sql_id_mangled(raw, expected):
    assert one(nz.sql_id_mangled, raw) is expected


def reference_id_valid(value: str, today: date) -> bool:
    """Straightforward reference: shape, MOD 11-2 check character, real birth date 1900..today."""
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2),
                                           strict=True))
    if "10X98765432"[total % 11] != value[17]:
        return False
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= birth <= today


_id_digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def id_like(draw) -> str:
    """18-character strings of digits/X, often with a plausible date and correct check digit."""
    kind = draw(st.sampled_from(["random", "dated", "valid"]))
    if kind == "random":
        return draw(st.text(alphabet="0123456789X", min_size=18, max_size=18))
    area = draw(st.text(alphabet="0123456789", min_size=6, max_size=6))
    year = draw(st.integers(1890, 2110))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    seq = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    first17 = f"{area}{year:04d}{month:02d}{day:02d}{seq}"
    if kind == "valid":
        return first17 + nz.id_check_char(first17)
    return first17 + draw(st.sampled_from("0123456789X"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(id_like(), min_size=1, max_size=40))
def test_sql_id_valid_agrees_with_reference(values):
    today = clock.today()
    assert run(nz.sql_id_valid, values) == [reference_id_valid(v, today) for v in values]


# --- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-06-22", date(2020, 6, 22)),
        ("2020/6/22", date(2020, 6, 22)),
        ("2020.6.22", date(2020, 6, 22)),
        ("2020年6月22日", date(2020, 6, 22)),
        ("2020年6月22号", date(2020, 6, 22)),  # as often spoken and typed
        ("2020年06月22", date(2020, 6, 22)),
        ("20200622", date(2020, 6, 22)),
        ("２０２０年６月２２日", date(2020, 6, 22)),
        (" 2020-06-22 ", date(2020, 6, 22)),
        ("2020-06-22 00:00:00", date(2020, 6, 22)),
        ("2020-06-22 13:45", date(2020, 6, 22)),
        ("2020-06-22T08:30:00.123", date(2020, 6, 22)),
        ("2020/6/22 0:00:00", date(2020, 6, 22)),
        ("43999", date(2020, 6, 17)),
        ("43999.0", date(2020, 6, 17)),
        ("43999.75", date(2020, 6, 17)),
        ("20000", date(1954, 10, 3)),
        ("80000", date(2119, 1, 11)),
        ("2020-02-29", date(2020, 2, 29)),
    ],
)
def test_sql_date_parses(raw, expected):
    assert one(nz.sql_date, raw) == expected
    assert one(nz.sql_date_invalid, raw) is False


@pytest.mark.parametrize(
    "raw",
    ["2020-6", "2020年6月", "2019-02-29", "2020-13-01", "20201301", "2020-06-22x", "20-6-22", "19999",
     "80001", "1234567", "2020/06/22/01", "garbage", "明天", "2020--06-22", "43999.5.1"],
)
def test_sql_date_rejects(raw):
    assert one(nz.sql_date, raw) is None
    assert one(nz.sql_date_invalid, raw) is True


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_sql_date_absent(raw):
    assert one(nz.sql_date, raw) is None
    assert one(nz.sql_date_invalid, raw) is False


# --- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4,300.50", 4300.5),
        ("3200元", 3200.0),
        ("￥1,200", 1200.0),
        ("¥1,200.00", 1200.0),
        ("1.2万", 12000.0),
        ("1.2万元", 12000.0),
        ("3200元整", 3200.0),  # as a receipt writes a sum (a probe)
        ("1.5万元整", 15000.0),
        ("  12 ", 12.0),
        ("１２，３４５．５", 12345.5),
        ("-5", -5.0),
        ("－5", -5.0),
        ("\u22122000", -2000.0),  # the minus sign a word processor writes
        ("+7", 7.0),
        ("0", 0.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1.5E3", 1500.0),
        ("1 234", 1234.0),
    ],
)
def test_sql_number_parses(raw, expected):
    assert one(nz.sql_number, raw) == pytest.approx(expected)
    assert one(nz.sql_number_invalid, raw) is False


@pytest.mark.parametrize("raw", ["abc", "12abc", "1.2.3", "--5", "inf", "nan", "1e999", "1_000", "0x10",
                                 "万", "元", "5%", "1.2亿"])
def test_sql_number_rejects(raw):
    assert one(nz.sql_number, raw) is None
    assert one(nz.sql_number_invalid, raw) is True


def test_sql_number_absent():
    assert run(nz.sql_number, [None, ""]) == [None, None]
    assert run(nz.sql_number_invalid, [None, ""]) == [False, False]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), ("3.0", 3), ("-2", -2), ("1.2万", 12000), ("３", 3), ("3.5", None), ("1e20", None), ("x", None),
     # beyond the INTEGER columns counts are stored in (a phone number in 人数): no count
     ("13800001111", None), ("2147483647", 2147483647), ("-2147483649", None),
     (None, None),
     # a count's unit (a probe's population base wrote 310人 and 152户): as an amount's 元
     ("3人", 3), ("152户", 152), ("1,310 人", 1310), ("6个月", 6), ("5口", 5), ("人", None), ("3人户", None)],
)
def test_sql_int(raw, expected):
    assert one(nz.sql_int, raw) == expected
    assert one(nz.sql_int_invalid, raw) is (raw is not None and expected is None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019", 2019),
        ("2019年", 2019),
        ("2019年度", 2019),
        ("2019 年", 2019),
        ("2019 年度", 2019),
        ("2019.0", 2019),
        ("２０１９年", 2019),
        ("2019年12月", 2019),
        ("2020-06-22", 2020),
        ("2020年6月22日", 2020),
        ("20200622", 2020),
        ("43999", 2020),
        ("1899", None),
        ("2101", None),
        ("19", None),
        ("二〇一九", None),
        ("abc", None),
        (None, None),
    ],
)
def test_sql_year(raw, expected):
    assert one(nz.sql_year, raw) == expected
    assert one(nz.sql_year_invalid, raw) is (raw is not None and expected is None)


# --- yes / no --------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", codes.YES)
def test_sql_yes(raw):
    assert one(nz.sql_yes_no, raw) is True
    assert one(nz.sql_yes_no, f" {raw.upper()} ") is True
    assert one(nz.sql_yes_no_invalid, raw) is False


@pytest.mark.parametrize("raw", codes.NO)
def test_sql_no(raw):
    assert one(nz.sql_yes_no, raw) is False
    assert one(nz.sql_yes_no, f" {raw.lower()} ") is False
    assert one(nz.sql_yes_no_invalid, raw) is False


@pytest.mark.parametrize(("raw", "expected"), [("Ｙ", True), ("１", True), ("1.0", True), ("0.0", False)])
def test_sql_yes_no_variants(raw, expected):
    assert one(nz.sql_yes_no, raw) is expected


@pytest.mark.parametrize("raw", ["是否", "maybe", "2", "未知"])
def test_sql_yes_no_unknown(raw):
    assert one(nz.sql_yes_no, raw) is None
    assert one(nz.sql_yes_no_invalid, raw) is True


def test_sql_yes_no_absent():
    assert run(nz.sql_yes_no, [None, " "]) == [None, None]
    assert run(nz.sql_yes_no_invalid, [None, " "]) == [False, False]


# --- code lists ------------------------------------------------------------------------------------


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(("field", "raw", "canonical"), codes.synonym_rows())
def test_sql_code_every_spelling(field, raw, canonical):
    spellings = [raw, f"  {raw} ", _full_width(raw), raw.upper(), raw.lower(),
                 raw.replace("(", "（").replace(")", "）"), raw.replace("（", "(").replace("）", ")")]
    assert run(nz.sql_code, spellings, field) == [canonical] * len(spellings)
    assert run(nz.sql_code_unknown, spellings, field) == [False] * len(spellings)


@pytest.mark.parametrize("field", list(codes.CODE_LISTS))
def test_sql_code_unknown(field):
    values = ["不在代码表里", "999", None, "", "  "]
    assert run(nz.sql_code, values, field) == [None] * 5
    assert run(nz.sql_code_unknown, values, field) == [True, True, False, False, False]


@pytest.mark.parametrize("field", list(codes.CODE_LISTS))
def test_py_key_agrees_with_sql_text(field):
    raws = [raw for f, raw, _ in codes.synonym_rows() if f == field]
    assert run(nz.sql_text, raws) == [nz.py_text(r) for r in raws]


def test_sql_code_numeric_float_cells():
    assert run(nz.sql_code, ["1.0", "01", "99.0", "10.0"], "main_cause") == ["因病", "因病", "其他", "交通条件落后"]


def test_sql_code_unknown_field():
    with pytest.raises(KeyError):
        nz.sql_code("no_such_list", '"v"')


# --- multi-valued codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "unknown"),
    [
        ("因病,因残", ["因病", "因残"], []),
        ("因病，因学、缺水;缺技术；缺资金/因灾", ["因病", "因学", "缺水", "缺技术", "缺资金", "因灾"], []),
        ("缺资金／因灾", ["缺资金", "因灾"], []),
        ("因残、因病、因残致贫、2", ["因残", "因病"], []),  # duplicates via synonyms, first order kept
        (" 因病 , 1 ,因病致贫", ["因病"], []),
        ("因病,外星人入侵,缺水", ["因病", "缺水"], ["外星人入侵"]),
        ("不知道", [], ["不知道"]),
        ("因病,,、", ["因病"], []),
        ("8、缺劳动力", ["缺劳力"], []),
        ("因残 缺水", ["因残", "缺水"], []),  # a space between codes separates them
        ("缺 技术", ["缺技术"], []),  # ... but one code spaced for alignment is that code
        ("因病 乱写、因学", ["因病", "因学"], ["乱写"]),
        ("", None, []),
        (None, None, []),
    ],
)
def test_sql_code_list(raw, expected, unknown):
    assert one(nz.sql_code_list, raw, "main_cause") == expected
    assert one(nz.sql_code_list_unknown, raw, "main_cause") == unknown


@pytest.mark.parametrize("field", ["main_cause", "health"])
def test_multi_valued_lists_have_no_separator_inside_a_value(field):
    for _, raw, _ in (row for row in codes.synonym_rows() if row[0] == field):
        assert not any(sep in (nz.py_text(raw) or "") for sep in codes.MULTI_SEPARATORS), raw


def test_sql_code_list_health():
    assert one(nz.sql_code_list, "长期慢性病、残疾", "health") == ["长期慢性病", "残疾"]
    assert one(nz.sql_code_list, "大病/慢性病/大病", "health") == ["患有大病", "长期慢性病"]


# --- exit status: policy support -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "enjoys"), list(codes.ENJOYS_POLICY.items()))
def test_sql_enjoys_policy(raw, enjoys):
    assert one(nz.sql_enjoys_policy, raw) is enjoys
    assert one(nz.sql_enjoys_policy, _full_width(raw)) is enjoys
    assert one(nz.sql_code, raw, "exit_status") == "已脱贫"


@pytest.mark.parametrize("raw", ["已脱贫", "未脱贫", "0", "3", "稳定脱贫", "", None])
def test_sql_enjoys_policy_says_nothing(raw):
    assert one(nz.sql_enjoys_policy, raw) is None


# --- properties: nothing raises ----------------------------------------------------------------------

_BUILDERS = [
    nz.sql_text, nz.sql_id_number, nz.sql_id_valid, nz.sql_id_birth_date, nz.sql_id_sex, nz.sql_id_mangled,
    nz.sql_date, nz.sql_date_invalid, nz.sql_deadline, nz.sql_deadline_invalid, nz.sql_number, nz.sql_number_invalid, nz.sql_int, nz.sql_int_invalid,
    nz.sql_year, nz.sql_year_invalid, nz.sql_yes_no, nz.sql_yes_no_invalid, nz.sql_enjoys_policy,
]
_CODE_BUILDERS = [nz.sql_code, nz.sql_code_unknown, nz.sql_code_list, nz.sql_code_list_unknown]
_FLAGS = {nz.sql_id_mangled, nz.sql_date_invalid, nz.sql_deadline_invalid, nz.sql_number_invalid, nz.sql_int_invalid,
          nz.sql_year_invalid, nz.sql_yes_no_invalid, nz.sql_code_unknown}

# Characters the parsers care about, mixed with arbitrary Unicode.
_messy = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),  # surrogates cannot come out of a decoded file
        st.sampled_from(list("0123456789Xx.-+/:T eE年月日度万元￥¥,，、;；／（）()\u3000\u00a0\t０１９Ｘ是否√")),
    ),
    max_size=30,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), _messy), min_size=1, max_size=20), st.sampled_from(list(codes.CODE_LISTS)))
def test_builders_never_raise(values, field):
    calls = [(b, ()) for b in _BUILDERS] + [(b, (field,)) for b in _CODE_BUILDERS]
    for builder, args in calls:
        result = run(builder, values, *args)
        assert len(result) == len(values)
        if builder in _FLAGS:
            assert all(isinstance(r, bool) for r in result), builder.__name__
        if builder is nz.sql_code_list_unknown:
            assert all(isinstance(r, list) for r in result)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _messy), min_size=1, max_size=20))
def test_py_text_mirrors_sql_text(values):
    assert run(nz.sql_text, values) == [nz.py_text(v) for v in values]


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["{:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d.year}.{d.month}.{d.day}",
                        "{d.year}年{d.month}月{d.day}日", "{:%Y%m%d}", "{:%Y-%m-%d %H:%M:%S}"]))
def test_sql_date_round_trip(d, form):
    assert one(nz.sql_date, form.format(d, d=d)) == d
    assert one(nz.sql_year, form.format(d, d=d)) == d.year


@settings(max_examples=100, deadline=None)
@given(st.integers(-(10**12) + 1, 10**12 - 1), st.integers(0, 99))  # below NUMBER_MAX (a trillion: no amount)
def test_sql_number_round_trip(units, cents):
    value = units + cents / 100 if units >= 0 else units - cents / 100
    assert one(nz.sql_number, f"{value:,.2f}") == pytest.approx(value)
    assert one(nz.sql_number, f"{value:.2f}元") == pytest.approx(value)
