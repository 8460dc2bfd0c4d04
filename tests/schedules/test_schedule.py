"""Schedule files: every mistake an operator makes gets its sentence and its line.

Files are real files in tmp_path, read by the real reader; the assertions compare
whole rendered sentences, so a wording change in the catalogue shows up here and a
message that lost its line number cannot pass.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from firmware_host import messages
from firmware_host.schedules import (
    ALL_ZONES,
    Problem,
    Schedule,
    check_schedules,
    parse_schedule,
    schedule_files,
)
from tests.helpers import REPO

ZONES = ("thon-1", "thon-2", "thon-3")
REFS = {"thong-bao-2g": 60.0, "Hướng dẫn đổi máy": 30.0, "huong-dan-doi-may": 30.0}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Line numbers of BASE, used by the tests below:
#  1 [campaign]             6 [[slot]]
#  2 name                   7 name
#  3 start                  8 time
#  4 end                    9 days
#  5 (blank)               10 playlist
#                          11 zones
BASE = """\
[campaign]
name = "Tắt sóng 2G"
start = 2024-08-01
end = 2024-09-16

[[slot]]
name = "sáng"
time = "06:30"
days = "hằng ngày"
playlist = ["thong-bao-2g"]
zones = ["thon-1"]
"""

AFTERNOON = """
[[slot]]
name = "chiều"
time = "17:00"
days = "T2-T6"
playlist = ["thong-bao-2g"]
zones = ["thon-2"]
"""


@pytest.fixture
def english() -> Iterator[None]:
    messages.set_language("en")
    try:
        yield
    finally:
        messages.set_language("vi")


def variant(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def write(tmp_path: Path, text: str | bytes, name: str = "lich.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path


def parse(tmp_path: Path, text: str | bytes, name: str = "lich.toml"):
    return parse_schedule(write(tmp_path, text, name), zones=ZONES)


def only_problem(tmp_path: Path, text: str | bytes) -> tuple[Path, Problem]:
    """Parse *text*, expect exactly one error and no schedule."""
    path = write(tmp_path, text)
    schedule, problems = parse_schedule(path, zones=ZONES)
    assert schedule is None
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].severity == "error"
    return path, problems[0]


def check(paths: list[Path], refs: dict[str, float] = REFS, *, warmup=2.0, tail=0.5):
    return check_schedules(paths, zones=ZONES, clip_refs=refs, warmup=warmup, tail=tail, tz=TZ)


# --------------------------------------------------------------------------- valid files


def test_base_parses_to_exact_values(tmp_path: Path) -> None:
    schedule, problems = parse(tmp_path, BASE + AFTERNOON)
    assert problems == []
    assert isinstance(schedule, Schedule)
    assert schedule.campaign == "Tắt sóng 2G"
    assert (schedule.start, schedule.end) == (date(2024, 8, 1), date(2024, 9, 16))
    assert schedule.exceptions == frozenset()
    morning, afternoon = schedule.slots
    assert morning.name == "sáng" and morning.line == 6
    assert morning.time == time(6, 30)
    assert morning.days == frozenset(range(7))
    assert morning.playlist == ("thong-bao-2g",)
    assert (morning.repeat, morning.gap_seconds, morning.zones) == (1, 5.0, ("thon-1",))
    assert afternoon.days == frozenset({0, 1, 2, 3, 4})
    assert afternoon.line == 13


def test_shipped_example_is_valid(tmp_path: Path) -> None:
    path = REPO / "schedules" / "chien-dich-2g.toml"
    refs = {"thong-bao-tat-song-2g": 45.0, "huong-dan-chuyen-4g": 90.0}
    schedules, problems = check([path], refs)
    assert problems == []
    (schedule,) = schedules
    assert (schedule.start, schedule.end) == (date(2024, 8, 1), date(2024, 9, 16))
    assert schedule.exceptions == {date(2024, 9, 2), date(2024, 9, 3)}
    assert [slot.time for slot in schedule.slots] == [time(6, 30), time(17, 0)]
    assert all(slot.zones == ZONES for slot in schedule.slots)
    assert set(schedule.slots[0].playlist) == set(refs)


def test_documented_example_is_valid(tmp_path: Path) -> None:
    doc = (REPO / "docs" / "schedules.md").read_text("utf-8")
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    refs = {"thong-bao-tat-song-2g": 45.0, "huong-dan-chuyen-4g": 90.0}
    schedules, problems = check([write(tmp_path, example)], refs)
    assert problems == []
    assert [slot.name for slot in schedules[0].slots] == ["sáng", "chiều"]


def test_defaults_names_and_alternative_spellings(tmp_path: Path) -> None:
    text = """\
[campaign]
name = "  Tiêm chủng  "
start = "01/08/2024"
end = "2024-8-31"
except = ["02/08/2024", 2024-08-03]

[[slot]]
time = 06:30:00
days = ["T2", "Thứ 4", "friday"]
playlist = "thong-bao-2g"
repeat = 3
gap_seconds = 2.5
zones = "tất cả"

[[slot]]
time = "7:05"
days = "t7, cn"
playlist = ["Hướng dẫn đổi máy", "thong-bao-2g"]
zones = ["thon-3", "thon-1", "thon-3"]
"""
    schedule, problems = parse(tmp_path, text)
    assert problems == []
    assert schedule.campaign == "Tiêm chủng"
    assert (schedule.start, schedule.end) == (date(2024, 8, 1), date(2024, 8, 31))
    assert schedule.exceptions == {date(2024, 8, 2), date(2024, 8, 3)}
    first, second = schedule.slots
    assert (first.name, second.name) == ("slot-1", "slot-2")
    assert first.time == time(6, 30) and second.time == time(7, 5)
    assert first.days == {0, 2, 4} and second.days == {5, 6}
    assert (first.repeat, first.gap_seconds) == (3, 2.5)
    assert first.zones == ZONES  # "tất cả" → every configured zone, in config order
    assert second.zones == ("thon-3", "thon-1")  # order kept, duplicate dropped
    assert second.playlist == ("Hướng dẫn đổi máy", "thong-bao-2g")


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ('["T2", "T4", "T6"]', {0, 2, 4}),
        ('"Thứ 2"', {0}),
        ('"thứ Bảy"', {5}),
        ('["Chủ nhật"]', {6}),
        ('"CN"', {6}),
        ('"chu nhat"', {6}),  # typed without a Vietnamese keyboard
        ('["mon", "Wednesday", "FRI"]', {0, 2, 4}),
        ('"T2-T6"', {0, 1, 2, 3, 4}),
        ('"t2 – t4"', {0, 1, 2}),
        ('"Thứ 2 đến Thứ 7"', {0, 1, 2, 3, 4, 5}),
        ('"mon-fri"', {0, 1, 2, 3, 4}),
        ('"sat-sun"', {5, 6}),
        ('"T7-CN"', {5, 6}),
        ('"hằng ngày"', set(range(7))),
        ('"Hàng ngày"', set(range(7))),
        ('"every day"', set(range(7))),
        ('"Daily"', set(range(7))),
        ('["T2", "T2-T3", "tue"]', {0, 1}),
    ],
)
def test_day_spellings(tmp_path: Path, days: str, expected: set[int]) -> None:
    schedule, problems = parse(tmp_path, variant('days = "hằng ngày"', f"days = {days}"))
    assert problems == []
    assert schedule.slots[0].days == expected


def test_nfd_input_is_normalised(tmp_path: Path) -> None:
    """macOS and some phone keyboards write decomposed Unicode; it must read the same."""
    nfd = unicodedata.normalize("NFD", BASE.replace('zones = ["thon-1"]', 'zones = "Tất cả"'))
    nfd += unicodedata.normalize(
        "NFD", AFTERNOON.replace('"T2-T6"', '["Thứ 2", "Chủ nhật"]')
    ).replace('["thong-bao-2g"]', '["Hướng dẫn đổi máy"]')
    assert nfd != unicodedata.normalize("NFC", nfd)
    path = write(tmp_path, nfd)
    schedules, problems = check([path])
    assert problems == []
    (schedule,) = schedules
    assert schedule.campaign == unicodedata.normalize("NFC", "Tắt sóng 2G")
    morning, afternoon = schedule.slots
    assert morning.zones == ZONES
    assert afternoon.name == "chiều" and afternoon.days == {0, 6}
    assert afternoon.playlist == ("Hướng dẫn đổi máy",)  # NFC, found in the NFC library


def test_all_zones_without_config_stays_symbolic(tmp_path: Path) -> None:
    path = write(tmp_path, variant('zones = ["thon-1"]', 'zones = "all"'))
    schedule, problems = parse_schedule(path)
    assert problems == []
    assert schedule.slots[0].zones == (ALL_ZONES,)
    # Without the config, any zone name is accepted.
    path = write(tmp_path, variant('zones = ["thon-1"]', 'zones = ["xom-moi"]'))
    assert parse_schedule(path)[0].slots[0].zones == ("xom-moi",)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    schedule, problems = parse(tmp_path, b"\xef\xbb\xbf" + BASE.encode())
    assert problems == [] and schedule is not None


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize(
    ("written", "sentence"),
    [
        ("25:00", "25:00 không phải là giờ trong ngày; hãy viết HH:MM, từ 00:00 đến 23:59"),
        ("24:00", "24:00 không phải là giờ trong ngày; hãy viết HH:MM, từ 00:00 đến 23:59"),
        ("07:60", "07:60 không phải là giờ trong ngày; hãy viết HH:MM, từ 00:00 đến 23:59"),
        (
            "6h30",
            "6h30 không phải là giờ trong ngày; hãy viết HH:MM, từ 00:00 đến 23:59"
            " (có phải ý bạn là '06:30'?)",
        ),
        (
            "17g",
            "17g không phải là giờ trong ngày; hãy viết HH:MM, từ 00:00 đến 23:59"
            " (có phải ý bạn là '17:00'?)",
        ),
        ("sáng sớm", "sáng sớm không phải là giờ trong ngày; hãy viết HH:MM, từ 00:00 đến 23:59"),
    ],
)
def test_bad_time(tmp_path: Path, written: str, sentence: str) -> None:
    path, problem = only_problem(tmp_path, variant('"06:30"', f'"{written}"'))
    assert str(problem) == f"{path}, dòng 8: {sentence}"
    assert problem.key == "schedule.bad_time"


@pytest.mark.parametrize("written", ['"6:30"', '"06:30:00"', "06:30:00", '" 06:30 "'])
def test_time_spellings(tmp_path: Path, written: str) -> None:
    schedule, problems = parse(tmp_path, variant('"06:30"', written))
    assert problems == []
    assert schedule.slots[0].time == time(6, 30)


def test_unquoted_time_is_a_syntax_error_with_the_fix(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant('time = "06:30"', "time = 06:30"))
    assert problem.line == 8
    assert problem.key == "schedule.toml_syntax"
    assert str(problem).startswith(f"{path}, dòng 8: viết sai cú pháp TOML (")
    assert str(problem).endswith(
        "sửa dòng này theo mẫu trong docs/schedules.md — có lẽ cần đặt giá trị trong ngoặc kép: "
        'time = "06:30"'
    )


def test_unquoted_days_get_the_fix(tmp_path: Path) -> None:
    _, problem = only_problem(tmp_path, variant('days = "hằng ngày"', "days = [T2, T4]"))
    assert problem.line == 9
    assert str(problem).endswith('days = ["T2", "T4"]')


# --------------------------------------------------------------------------- days


def test_bad_weekday(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant('"hằng ngày"', '["T2", "T8"]'))
    assert str(problem) == (
        f"{path}, dòng 9: 'T8' không phải là ngày trong tuần; hãy viết T2…T7, CN hoặc mon…sun"
    )


def test_bad_weekday_in_range_and_thu_alone(tmp_path: Path) -> None:
    """'thứ' alone is not Thursday: English names are matched with diacritics kept."""
    path = write(tmp_path, variant('"hằng ngày"', '["T2-T9", "thứ"]'))
    schedule, problems = parse_schedule(path, zones=ZONES)
    assert schedule is None
    assert [(p.line, p.params["value"]) for p in problems] == [(9, "T9"), (9, "thứ")]


def test_reversed_day_range(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant('"hằng ngày"', '"T6-T2"'))
    assert str(problem) == (
        f"{path}, dòng 9: 'T6-T2' đi ngược chiều tuần; hãy viết từ ngày đầu đến ngày cuối,"
        ' ví dụ "T2-T6"'
    )


def test_empty_days(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant('"hằng ngày"', "[]"))
    assert str(problem) == (
        f'{path}, dòng 9: \'days\' cần ít nhất một giá trị, ví dụ: days = ["T2", "T4"]'
    )


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("written", "sentence"),
    [
        ('"30/02/2025"', "30/02/2025 không phải là một ngày có thật: tháng 02/2025 chỉ có 28 ngày"),
        ('"29/02/2025"', "29/02/2025 không phải là một ngày có thật: tháng 02/2025 chỉ có 28 ngày"),
        ('"31/04/2025"', "31/04/2025 không phải là một ngày có thật: tháng 04/2025 chỉ có 30 ngày"),
        (
            '"08/13/2025"',
            "08/13/2025 không phải là một ngày: không có tháng 13"
            " (viết ngày trước, tháng sau: dd/mm/yyyy)",
        ),
        (
            '"1 tháng 8"',
            '1 tháng 8 không phải là một ngày; hãy viết ngày/tháng/năm như "01/08/2024",'
            " hoặc 2024-08-01",
        ),
        # An impossible TOML date is a TOML syntax error; it is still reported as a date.
        ("2025-02-30", "2025-02-30 không phải là một ngày có thật: tháng 02/2025 chỉ có 28 ngày"),
    ],
)
def test_bad_date(tmp_path: Path, written: str, sentence: str) -> None:
    text = variant("end = 2024-09-16", f"end = {written}")
    path, problem = only_problem(tmp_path, text)
    assert str(problem) == f"{path}, dòng 4: {sentence}"


def test_leap_day_is_a_date(tmp_path: Path) -> None:
    schedule, problems = parse(tmp_path, variant("end = 2024-09-16", 'end = "29/02/2028"'))
    assert problems == []
    assert schedule.end == date(2028, 2, 29)


def test_end_before_start(tmp_path: Path) -> None:
    text = variant("start = 2024-08-01", 'start = "16/09/2024"')
    path, problem = only_problem(tmp_path, variant("end = 2024-09-16", 'end = "01/08/2024"', text))
    assert str(problem) == (
        f"{path}, dòng 4: ngày kết thúc 01/08/2024 trước ngày bắt đầu 16/09/2024;"
        " kiểm tra lại hai ngày này (có viết nhầm ngày với tháng không?)"
    )


def test_mistyped_year_is_caught(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant("end = 2024-09-16", "end = 2042-09-16"))
    assert str(problem) == (
        f"{path}, dòng 4: chiến dịch từ 01/08/2024 đến 16/09/2042 dài hơn 5 năm;"
        " kiểm tra lại năm của ngày kết thúc"
    )


def test_exception_outside_window_is_a_warning(tmp_path: Path) -> None:
    text = variant("end = 2024-09-16\n", 'end = 2024-09-16\nexcept = [2024-09-02, "01/01/2025"]\n')
    schedule, problems = parse(tmp_path, text)
    assert schedule is not None
    assert schedule.exceptions == {date(2024, 9, 2), date(2025, 1, 1)}
    (problem,) = problems
    assert problem.severity == "warning"
    assert str(problem) == (
        f"{tmp_path / 'lich.toml'}, dòng 5: ngày nghỉ 01/01/2025 nằm ngoài thời gian chiến dịch"
        " (01/08/2024 – 16/09/2024) nên không có tác dụng"
    )


def test_bad_exception_date(tmp_path: Path) -> None:
    text = variant("end = 2024-09-16\n", 'end = 2024-09-16\nexcept = [\n  "31/09/2024",\n]\n')
    path, problem = only_problem(tmp_path, text)
    assert str(problem) == (
        f"{path}, dòng 5: 31/09/2024 không phải là một ngày có thật: tháng 09/2024 chỉ có 30 ngày"
    )


def test_slot_that_never_plays_is_a_warning(tmp_path: Path) -> None:
    text = variant("end = 2024-09-16", "end = 2024-08-02")  # Thursday and Friday only
    schedule, problems = parse(tmp_path, variant('"hằng ngày"', '"CN"', text))
    assert schedule is not None
    (problem,) = problems
    assert (problem.severity, problem.key, problem.line) == ("warning", "schedule.never_plays", 9)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", [0, 11, -1])
def test_repeat_out_of_range(tmp_path: Path, value: int) -> None:
    text = variant('zones = ["thon-1"]', f'zones = ["thon-1"]\nrepeat = {value}')
    path, problem = only_problem(tmp_path, text)
    assert str(problem) == (
        f"{path}, dòng 12: repeat phải từ 1 đến 10 (số lần phát lại cả danh sách),"
        f" không phải {value}"
    )


def test_gap_out_of_range_and_nan(tmp_path: Path) -> None:
    for value in ("601", "-1", "nan", "inf"):
        text = variant('zones = ["thon-1"]', f'zones = ["thon-1"]\ngap_seconds = {value}')
        path, problem = only_problem(tmp_path, text)
        assert problem.line == 12
        assert (
            str(problem)
            == f"{path}, dòng 12: gap_seconds phải từ 0 đến 600 giây, không phải {value}"
        )


# --------------------------------------------------------------------------- keys and types


def test_missing_playlist(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant('playlist = ["thong-bao-2g"]\n', ""))
    assert str(problem) == (
        f"{path}, dòng 6: thiếu khoá bắt buộc 'slot.playlist';"
        ' thêm dòng: playlist = ["thong-bao-tat-song-2g"]'
    )


def test_empty_playlist(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant('["thong-bao-2g"]', '[""]'))
    assert str(problem) == (
        f"{path}, dòng 10: 'playlist' cần ít nhất một giá trị,"
        ' ví dụ: playlist = ["thong-bao-tat-song-2g"]'
    )


def test_missing_campaign_keys(tmp_path: Path) -> None:
    path = write(tmp_path, variant('name = "Tắt sóng 2G"\nstart = 2024-08-01\n', ""))
    schedule, problems = parse_schedule(path, zones=ZONES)
    assert schedule is None
    assert [str(p) for p in problems] == [
        f"{path}, dòng 1: thiếu khoá bắt buộc 'campaign.name'; thêm dòng: name = \"Tắt sóng 2G\"",
        f"{path}, dòng 1: thiếu khoá bắt buộc 'campaign.start'; thêm dòng: start = 2024-08-01",
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "sentence"),
    [
        (
            'time = "06:30"',
            'tme = "06:30"',
            8,
            "'slot.tme' không phải là khoá của tệp lịch; xoá dòng này hoặc sửa lại tên khoá"
            " (có phải ý bạn là 'time'?)",
        ),
        (
            'zones = ["thon-1"]',
            'zones = ["thon-1"]\ngap = 3',
            12,
            "'slot.gap' không phải là khoá của tệp lịch; xoá dòng này hoặc sửa lại tên khoá"
            " (có phải ý bạn là 'gap_seconds'?)",
        ),
        (
            "end = 2024-09-16",
            "end = 2024-09-16\nexcept_dates = [2024-09-02]",
            5,
            "'campaign.except_dates' không phải là khoá của tệp lịch; xoá dòng này hoặc sửa lại"
            " tên khoá (có phải ý bạn là 'except'?)",
        ),
        (
            "[campaign]",
            'title = "x"\n[campaign]',
            1,
            "'title' không phải là khoá của tệp lịch; xoá dòng này hoặc sửa lại tên khoá",
        ),
        (
            "[campaign]",
            "repeat = 2\n[campaign]",
            1,
            "'repeat' không phải là khoá của tệp lịch; xoá dòng này hoặc sửa lại tên khoá"
            " (dòng này phải nằm dưới [[slot]])",
        ),
    ],
)
def test_unknown_key(tmp_path: Path, old: str, new: str, line: int, sentence: str) -> None:
    path = write(tmp_path, variant(old, new))
    schedule, problems = parse_schedule(path, zones=ZONES)
    assert schedule is None
    assert str(problems[0]) == f"{path}, dòng {line}: {sentence}"


def test_plural_slots_table(tmp_path: Path) -> None:
    path = write(tmp_path, BASE.replace("[[slot]]", "[[slots]]"))
    schedule, problems = parse_schedule(path, zones=ZONES)
    assert schedule is None
    assert [(p.line, p.key) for p in problems] == [
        (6, "schedule.unknown_key"),
        (1, "schedule.no_slots"),
    ]
    assert "(có phải ý bạn là 'slot'?)" in str(problems[0])


@pytest.mark.parametrize(
    ("old", "new", "line", "sentence"),
    [
        (
            'time = "06:30"',
            "time = 630",
            8,
            "'slot.time' phải là giờ trong ngoặc kép, ví dụ \"06:30\", không phải 630",
        ),
        (
            'name = "Tắt sóng 2G"',
            "name = 2",
            2,
            "'campaign.name' phải là một chuỗi trong ngoặc kép, không phải 2",
        ),
        (
            "start = 2024-08-01",
            "start = 2024-08-01T06:00:00",
            3,
            "'campaign.start' phải là một ngày, ví dụ 2024-08-01 hoặc \"01/08/2024\","
            " không phải 2024-08-01T06:00:00",
        ),
        (
            'zones = ["thon-1"]',
            'zones = ["thon-1"]\nrepeat = "2"',
            12,
            "'slot.repeat' phải là một số nguyên, ví dụ 2, không phải \"2\"",
        ),
        (
            'zones = ["thon-1"]',
            "zones = [1, 2]",
            11,
            '\'slot.zones\' phải là một chuỗi hoặc danh sách chuỗi, ví dụ ["thon-1", "thon-2"],'
            " không phải [1, 2]",
        ),
        (
            'days = "hằng ngày"',
            "days = true",
            9,
            '\'slot.days\' phải là tên ngày hoặc danh sách ngày, ví dụ ["T2", "T4"] hoặc'
            ' "hằng ngày", không phải true',
        ),
    ],
)
def test_wrong_type(tmp_path: Path, old: str, new: str, line: int, sentence: str) -> None:
    path, problem = only_problem(tmp_path, variant(old, new))
    assert str(problem) == f"{path}, dòng {line}: {sentence}"


def test_single_bracket_slot(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, BASE.replace("[[slot]]", "[slot]"))
    assert str(problem) == (
        f"{path}, dòng 6: khung giờ phải viết là [[slot]] (hai cặp ngoặc vuông),"
        " mỗi khung giờ một khối"
    )


def test_duplicate_slot_name(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, BASE + AFTERNOON.replace("chiều", "sáng"))
    assert str(problem) == (
        f"{path}, dòng 14: tên khung giờ 'sáng' đã dùng ở dòng 7; mỗi khung giờ cần một tên riêng"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = variant('"06:30"', '"25:00"', variant('"hằng ngày"', '"T8"'))
    text = variant('["thon-1"]', '["thon-9"]', text)
    _, problems = parse(tmp_path, text)
    assert [(p.line, p.key) for p in problems] == [
        (8, "schedule.bad_time"),
        (9, "schedule.bad_day"),
        (11, "schedule.unknown_zone"),
    ]


# --------------------------------------------------------------------------- files


def test_toml_syntax_error_line(tmp_path: Path) -> None:
    text = variant('playlist = ["thong-bao-2g"]', 'playlist = ["thong-bao-2g"')
    path, problem = only_problem(tmp_path, text)
    assert problem.key == "schedule.toml_syntax"
    assert problem.line in (10, 11)  # tomllib notices at the end of the line or the next
    assert str(problem).startswith(f"{path}, dòng {problem.line}: viết sai cú pháp TOML (")


def test_duplicate_key_is_placed_on_a_real_line(tmp_path: Path) -> None:
    _, problem = only_problem(tmp_path, BASE + 'zones = ["thon-2"]\n')
    assert problem.key == "schedule.toml_syntax"
    assert problem.line == 12


def test_non_utf8_file(tmp_path: Path) -> None:
    raw = BASE.replace("Tắt sóng 2G", "Tat song").encode()
    raw = raw.replace(b'name = "s\xc3\xa1ng"', 'name = "sáng"'.encode("cp1258"))
    path, problem = only_problem(tmp_path, raw)
    assert str(problem) == (
        f"{path}, dòng 7: tệp lịch không phải văn bản UTF-8 (có ký tự lạ ở dòng này);"
        " hãy mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8"
    )


@pytest.mark.parametrize("content", [b"", b"\n  \n", "# chỉ có ghi chú\n".encode()])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path, problem = only_problem(tmp_path, content)
    assert str(problem) == (
        f"{path}, dòng 1: tệp lịch trống; hãy viết một bảng [campaign] và ít nhất một khối"
        " [[slot]] theo mẫu trong docs/schedules.md"
    )


def test_unreadable_file_does_not_raise(tmp_path: Path) -> None:
    schedule, problems = parse_schedule(tmp_path, zones=ZONES)  # a directory
    assert schedule is None
    assert [(p.line, p.key) for p in problems] == [(None, "schedule.unreadable")]
    assert str(problems[0]) == (
        f"{tmp_path}: không đọc được tệp lịch (không phải một tệp thường);"
        " kiểm tra tên tệp và quyền đọc"
    )


def test_text_argument_is_used_instead_of_the_file(tmp_path: Path) -> None:
    schedule, problems = parse_schedule(tmp_path / "chua-luu.toml", BASE, zones=ZONES)
    assert problems == [] and schedule.path == tmp_path / "chua-luu.toml"


def test_schedule_files(tmp_path: Path) -> None:
    for name in ("b.toml", "a.toml", ".a.toml", "notes.txt", "c.toml~", ".#b.toml"):
        (tmp_path / name).write_text("", "utf-8")
    (tmp_path / "sub.toml").mkdir()
    assert [p.name for p in schedule_files(tmp_path)] == ["a.toml", "b.toml", "sub.toml"]
    assert schedule_files(tmp_path / "missing") == []


# --------------------------------------------------------------------------- cross checks


def test_unknown_zone(tmp_path: Path) -> None:
    path, problem = only_problem(tmp_path, variant('["thon-1"]', '["thon-1", "thon1"]'))
    assert str(problem) == (
        f"{path}, dòng 11: vùng loa 'thon1' không có trong cấu hình; các vùng đã khai báo:"
        " thon-1, thon-2, thon-3 (có phải ý bạn là 'thon-1'?)"
    )


def test_unknown_clip_points_at_the_playlist_line(tmp_path: Path) -> None:
    text = variant(
        'playlist = ["thong-bao-2g"]',
        'playlist = [\n  "thong-bao-2g",\n  "thong-bao-4g",\n  "Hướng dẫn đổi máy",\n]',
    )
    path = write(tmp_path, text)
    schedules, problems = check([path])
    assert schedules == []
    assert [str(p) for p in problems] == [
        f"{path}, dòng 10: bài 'thong-bao-4g' chưa có trong thư viện bài phát;"
        " hãy nhập bằng lệnh loaxa clips import (có phải ý bạn là 'thong-bao-2g'?)"
    ]


def test_clip_titles_count_as_references(tmp_path: Path) -> None:
    path = write(tmp_path, variant('["thong-bao-2g"]', '["Hướng dẫn đổi máy"]'))
    schedules, problems = check([path])
    assert problems == [] and len(schedules) == 1


def test_overlap_in_one_file(tmp_path: Path) -> None:
    # The morning session lasts 2 + 60 + 0.5 s: 06:30:00–06:31:02.5; 06:31 collides.
    second = AFTERNOON.replace('"17:00"', '"06:31"').replace('"T2-T6"', '"T2"')
    path = write(tmp_path, BASE + second)
    schedules, problems = check([path])
    assert schedules == []
    assert [str(p) for p in problems] == [
        f"{path}, dòng 15: khung giờ này trùng với khung giờ 'sáng' (tệp lich.toml, dòng 8)"
        " vào ngày 05/08/2024 từ 06:31 đến 06:31:02 và 6 ngày khác; chỉ có một âm ly,"
        " hãy dời giờ một trong hai khung"
    ]


def test_touching_slots_do_not_overlap(tmp_path: Path) -> None:
    second = AFTERNOON.replace('"17:00"', '"06:31:02"')
    path = write(tmp_path, BASE + second)
    schedules, problems = check([path], warmup=1.5, tail=0.5)  # 06:30:00 + 62 s exactly
    assert problems == [] and len(schedules) == 1


def test_overlap_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, BASE, "a-2g.toml")
    other = variant("end = 2024-09-16", "end = 2024-08-10")
    other = variant('"06:30"', '"06:29"', variant('"hằng ngày"', '["T7", "CN"]', other))
    other = variant('name = "Tắt sóng 2G"', 'name = "Tiêm chủng"', other)
    second = write(tmp_path, other, "b-tiem.toml")
    third = write(tmp_path, BASE.replace('"06:30"', '"12:00"'), "c-trua.toml")
    schedules, problems = check([first, second, third])
    assert [s.path for s in schedules] == [first, third]  # the later file is refused
    assert [str(p) for p in problems] == [
        f"{second}, dòng 8: khung giờ này trùng với khung giờ 'sáng' (tệp a-2g.toml, dòng 8)"
        " vào ngày 03/08/2024 từ 06:30 đến 06:30:02 và 2 ngày khác; chỉ có một âm ly,"
        " hãy dời giờ một trong hai khung"
    ]


def test_exception_dates_avoid_an_overlap(tmp_path: Path) -> None:
    """Two campaigns share one morning, but that day is a holiday in one of them."""
    first = write(tmp_path, BASE, "a.toml")
    other = variant("start = 2024-08-01\nend = 2024-09-16", "start = 2024-09-02\nend = 2024-09-02")
    second = write(tmp_path, other, "b.toml")
    assert len(check([first, second])[1]) == 1
    holiday = variant("end = 2024-09-16", "end = 2024-09-16\nexcept = [2024-09-02]")
    first = write(tmp_path, holiday, "a.toml")
    schedules, problems = check([first, second])
    assert problems == [] and len(schedules) == 2


def test_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = write(tmp_path, BASE, "a.toml")
    bad = write(tmp_path, "[campaign\n", "b.toml")
    schedules, problems = check(schedule_files(tmp_path))
    assert [s.path for s in schedules] == [good]
    assert [(p.file, p.line, p.key) for p in problems] == [(str(bad), 1, "schedule.toml_syntax")]


# --------------------------------------------------------------------------- English


def test_english_rendering(tmp_path: Path, english: None) -> None:
    text = variant('"06:30"', '"25:00"', variant('"hằng ngày"', '"T8"'))
    text = variant("end = 2024-09-16", 'end = "01/07/2024"', text)
    text = variant('zones = ["thon-1"]', 'zones = ["thon-1"]\nrepeat = 0', text)
    path = write(tmp_path, text)
    _, problems = parse_schedule(path, zones=ZONES)
    assert [str(p) for p in problems] == [
        f"{path}, line 4: end 01/07/2024 is before start 01/08/2024;"
        " check both dates (are day and month swapped?)",
        f"{path}, line 8: 25:00 is not a time of day; write HH:MM, 00:00–23:59",
        f"{path}, line 9: 'T8' is not a day; write T2…T7, CN or mon…sun",
        f"{path}, line 12: repeat must be 1–10 (how many times the whole playlist plays), not 0",
    ]


def test_english_cross_checks(tmp_path: Path, english: None) -> None:
    second = AFTERNOON.replace('"17:00"', '"06:31"').replace('["thong-bao-2g"]', '["x"]')
    path = write(tmp_path, BASE + second)
    _, problems = check([path])
    assert [str(p) for p in problems] == [
        f"{path}, line 17: clip 'x' is not in the library; import it with loaxa clips import",
    ]
    path = write(tmp_path, BASE + AFTERNOON.replace('"17:00"', '"06:31"'))
    _, problems = check([path])
    assert [str(p) for p in problems] == [
        f"{path}, line 15: this slot overlaps slot 'sáng' (file lich.toml, line 8) on 01/08/2024"
        " from 06:31 to 06:31:02 and on 32 other days; there is one amplifier,"
        " move one of the two slots"
    ]


def test_problem_renders_in_the_language_of_the_moment(tmp_path: Path) -> None:
    """A problem found in Vietnamese prints in English after --lang en, hints included."""
    path, problem = only_problem(tmp_path, variant('"06:30"', '"6h30"'))
    messages.set_language("en")
    try:
        assert str(problem) == (
            f"{path}, line 8: 6h30 is not a time of day; write HH:MM, 00:00–23:59"
            " (did you mean '06:30'?)"
        )
    finally:
        messages.set_language("vi")
    assert str(problem).endswith("(có phải ý bạn là '06:30'?)")


# --------------------------------------------------------------------------- hostile files


@pytest.mark.parametrize("nesting", ["[" * 20_000, "{a = " * 20_000])
def test_a_deeply_nested_file_is_refused_and_the_file_beside_it_is_not(
    tmp_path: Path, nesting: str
) -> None:
    """tomllib recurses once per bracket: 20 000 of them raise RecursionError."""
    good = write(tmp_path, BASE, "a.toml")
    deep = write(tmp_path, variant('days = "hằng ngày"', f"days = {nesting}"), "b.toml")
    schedules, problems = check(schedule_files(tmp_path))
    assert [s.path for s in schedules] == [good]
    assert [str(p) for p in problems] == [
        f"{deep}, dòng 9: các dấu ngoặc lồng vào nhau quá sâu nên không đọc được tệp lịch;"
        ' mỗi giá trị chỉ cần một cặp ngoặc, ví dụ days = ["T2", "T4"]'
    ]


def test_a_date_far_in_the_future_is_refused_not_a_crash(tmp_path: Path) -> None:
    """9999-12-31 is a valid TOML date; one more day of planning overflows Python's date."""
    good = write(tmp_path, BASE, "a.toml")
    text = variant("start = 2024-08-01\nend = 2024-09-16", "start = 9999-12-30\nend = 9999-12-31")
    far = write(tmp_path, variant('"hằng ngày"', '"T2"', text), "b.toml")
    schedules, problems = check(schedule_files(tmp_path))
    assert [s.path for s in schedules] == [good]
    assert [str(p) for p in problems] == [
        f"{far}, dòng {line}: năm 9999 không hợp lý; chiến dịch phải nằm trong các năm"
        " 2000–2099 (có viết nhầm năm không?)"
        for line in (3, 4)
    ]


def test_a_missing_file_is_named_without_a_line(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co.toml"
    schedule, problems = parse_schedule(missing, zones=ZONES)
    assert schedule is None
    assert [str(p) for p in problems] == [
        f"{missing}: không có tệp lịch này; kiểm tra lại tên tệp và thư mục"
    ]
    assert problems[0].line is None


def test_a_fifo_or_a_huge_file_is_refused_without_waiting_or_reading_it(tmp_path: Path) -> None:
    import os

    good = write(tmp_path, BASE, "a.toml")
    os.mkfifo(tmp_path / "b-pipe.toml")  # reading it would wait for a writer forever
    with open(tmp_path / "c-huge.toml", "wb") as huge:
        huge.truncate(2**30)  # 1 GB (sparse), which a Pi Zero cannot hold in memory
    schedules, problems = check(schedule_files(tmp_path))
    assert [s.path for s in schedules] == [good]
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'b-pipe.toml'}: không đọc được tệp lịch (không phải một tệp thường);"
        " kiểm tra tên tệp và quyền đọc",
        f"{tmp_path / 'c-huge.toml'}: tệp lịch quá lớn (1048576 KB); một tệp chiến dịch chỉ"
        " vài KB, tối đa 2048 KB. Hãy kiểm tra lại xem có chép nhầm tệp không",
    ]


# --------------------------------------------------------------------------- the command line


def loaxa(capsys, *argv: str) -> tuple[int, str, str]:
    from firmware_host.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(box, tmp_path: Path) -> Path:
    """A box whose library holds one 60 s clip named like REFS' first entry."""
    from firmware_host.clips import ClipLibrary
    from tests.helpers import make_tone

    clip = ClipLibrary(box).import_file(make_tone(tmp_path / "thong-bao-2g.wav", seconds=1.0))
    assert clip.id == "thong-bao-2g"
    box.scheduler.schedules_dir.mkdir(parents=True, exist_ok=True)
    return box.data_dir


def test_check_and_show_survive_a_nested_file_beside_a_good_one(capsys, box, home) -> None:
    from datetime import datetime

    folder = box.scheduler.schedules_dir
    today = datetime.now(box.timezone).date()
    window = f"start = {today}\nend = {today.replace(day=1) + timedelta(days=40)}"
    write(folder, variant("start = 2024-08-01\nend = 2024-09-16", window), "a.toml")
    deep = write(folder, "a = " + "[" * 100_000, "b.toml")
    code, out, err = loaxa(capsys, "--data-dir", str(home), "schedule", "check")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"✘ {deep}, dòng 1: các dấu ngoặc lồng vào nhau quá sâu nên không đọc được tệp lịch;"
        ' mỗi giá trị chỉ cần một cặp ngoặc, ví dụ days = ["T2", "T4"]',
        "1 lỗi trong 2 tệp lịch. Sửa các dòng trên rồi kiểm tra lại.",
    ]
    code, out, err = loaxa(capsys, "--data-dir", str(home), "schedule", "show")
    assert code == 0 and f"✘ {deep}, dòng 1: " in err and "Tắt sóng 2G" in out
    code, out, err = loaxa(capsys, "--data-dir", str(home), "schedule", "show", "--json")
    assert code == 0 and {s["file"] for s in json.loads(out)} == {"a.toml"}


def test_check_summary_plurals_in_english(capsys, box, home) -> None:
    folder = box.scheduler.schedules_dir
    lang = ("--lang", "en", "--data-dir", str(home), "schedule", "check")
    write(folder, variant("end = 2024-09-16", "end = 2024-08-12"), "a.toml")
    assert loaxa(capsys, *lang)[1] == "✔ 1 schedule file checked: all valid.\n"
    # Mondays 05/08 and 12/08: one collision "and on 1 other day".
    later = variant('"06:30"', '"06:30:01"', variant('"hằng ngày"', '"T2"'))
    write(folder, variant("end = 2024-09-16", "end = 2024-08-12", later), "b.toml")
    code, out, _ = loaxa(capsys, *lang)
    assert code == 1
    assert "on 05/08/2024 from 06:30:01 to 06:30:01 and on 1 other day;" in out
    assert out.endswith("\n1 error in 2 schedule files. Fix the lines above and check again.\n")
    write(folder, variant('"06:30"', '"25:00"', variant('"hằng ngày"', '"T8"')), "b.toml")
    out = loaxa(capsys, *lang)[1]
    assert out.endswith("\n2 errors in 2 schedule files. Fix the lines above and check again.\n")


def test_check_of_a_missing_file_names_no_line(capsys, home) -> None:
    missing = home / "khong-co.toml"
    code, out, _ = loaxa(capsys, "--data-dir", str(home), "schedule", "check", str(missing))
    assert code == 1
    assert out.splitlines()[0] == (
        f"✘ {missing}: không có tệp lịch này; kiểm tra lại tên tệp và thư mục"
    )
    code, out, _ = loaxa(
        capsys, "--data-dir", str(home), "schedule", "check", str(missing), "--json"
    )
    assert json.loads(out)["problems"][0]["line"] is None


def test_show_lists_from_now_on_with_seconds_when_a_slot_has_them(capsys, box, home) -> None:
    """The wall clock is set to midday by time-machine, so the test means the same at any
    hour it runs (a slot 10 minutes ago is earlier *today*)."""
    from datetime import datetime, timedelta

    import time_machine

    now = datetime(2026, 9, 15, 12, 0, 0, tzinfo=box.timezone)
    traveller = time_machine.travel(now, tick=False)
    traveller.start()
    earlier = (now - timedelta(minutes=10)).strftime("%H:%M")
    later = (now + timedelta(minutes=10)).strftime("%H:%M:15")
    text = variant(
        "start = 2024-08-01\nend = 2024-09-16", f"start = {now.date()}\nend = {now.date()}"
    )
    text = variant('"06:30"', f'"{earlier}"', text)
    text += AFTERNOON.replace('"17:00"', f'"{later}"').replace('"T2-T6"', '"hằng ngày"')
    write(box.scheduler.schedules_dir, text)
    try:
        code, out, _ = loaxa(capsys, "--lang", "en", "--data-dir", str(home), "schedule", "show")
    finally:
        traveller.stop()
    assert code == 0
    rows = [line for line in out.splitlines() if "Tắt sóng 2G" in line]
    assert len(rows) == 1 and later in rows[0] and "chiều" in rows[0]
    assert out.splitlines()[-1] == ("(1 session earlier today not shown; what played: loaxa log)")
