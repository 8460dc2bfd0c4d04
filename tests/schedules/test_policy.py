"""Issue 12 in the schedule files: tiers, one-off events, languages, and the commune's
``[policy]`` (quiet hours, airtime caps, weekdays only) checked before anything airs.

Real files in tmp_path through the real reader and checker; whole sentences are
compared, so a refusal that lost its rule, file, line or date cannot pass. "Changes
nothing": a refused file is not among the schedules the box keeps, the others are.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from firmware_host.config import PolicySettings
from firmware_host.schedules import check_schedules, parse_schedule
from firmware_host.schedules.plan import plan_sessions
from firmware_host.schedules.rules import NO_POLICY

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ZONES = ("thon-1", "thon-2")
REFS = {
    "thong-bao": 60.0,
    "Thông báo": 60.0,
    "thong-bao-ede": 70.0,
    "huong-dan": 30.0,
    "huong-dan-ede": 40.0,
    "huong-dan-jra": 35.0,
    "nhac-hieu": 10.0,
}
TB = {"vi": "thong-bao", "ede": "thong-bao-ede"}
HD = {"vi": "huong-dan", "ede": "huong-dan-ede", "jra": "huong-dan-jra"}
VERSIONS = {
    "thong-bao": TB,
    "Thông báo": TB,
    "thong-bao-ede": TB,
    "huong-dan": HD,
    "huong-dan-ede": HD,
    "huong-dan-jra": HD,
    "nhac-hieu": {"vi": "nhac-hieu"},
}
WARMUP, TAIL = 2.0, 0.5

#  1 [campaign]          6 [[slot]]
#  2 name                7 name
#  3 start               8 time
#  4 end                 9 days
#  5 (blank)            10 playlist
#                       11 zones
BASE = """\
[campaign]
name = "Tắt sóng 2G"
start = 2024-09-02
end = 2024-09-15

[[slot]]
name = "sáng"
time = "06:30"
days = "hằng ngày"
playlist = ["thong-bao"]
zones = ["thon-1"]
"""


def policy(**changes: object) -> PolicySettings:
    return dataclasses.replace(NO_POLICY, **changes)


def write(folder: Path, text: str, name: str = "lich.toml") -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def check(paths, rules: PolicySettings = NO_POLICY, waiting=(), refs=REFS, versions=VERSIONS):
    return check_schedules(
        paths,
        zones=ZONES,
        clip_refs=refs,
        warmup=WARMUP,
        tail=TAIL,
        tz=TZ,
        policy=rules,
        versions=versions,
        waiting=waiting,
    )


def plan(schedules, first: date, last: date):
    return plan_sessions(
        schedules,
        first,
        last,
        tz=TZ,
        clip_refs=REFS,
        warmup=WARMUP,
        tail=TAIL,
        versions=VERSIONS,
    )


def refused(tmp_path: Path, text: str, rules: PolicySettings = NO_POLICY) -> list[str]:
    """The errors of *text* as printed ("file, dòng N: …"); the file must be refused."""
    path = write(tmp_path, text)
    kept, problems = check([path], rules)
    assert kept == [], "a refused file plays nothing"
    errors = [str(p) for p in problems if p.severity == "error"]
    assert errors
    return [line.removeprefix(f"{path}, ") for line in errors]


# --------------------------------------------------------------------------- tiers


@pytest.mark.parametrize(
    ("written", "tier"),
    [
        ('"khẩn cấp"', "khan-cap"),
        ('"Khẩn Cấp"', "khan-cap"),
        ('"khan-cap"', "khan-cap"),
        ('"khan cap"', "khan-cap"),
        ('"emergency"', "khan-cap"),
        ('"ưu tiên"', "uu-tien"),
        ('"uu-tien"', "uu-tien"),
        ('"Priority"', "uu-tien"),
        ('"thông thường"', "thuong"),
        ('"thuong"', "thuong"),
        ('"normal"', "thuong"),
        (None, "thuong"),
    ],
)
def test_a_campaign_has_a_tier_written_any_way_and_its_sessions_carry_it(
    tmp_path: Path, written: str | None, tier: str
) -> None:
    text = BASE if written is None else BASE.replace("end = ", f"tier = {written}\nend = ")
    (schedule,), problems = check([write(tmp_path, text)])
    assert problems == []
    assert schedule.tier == tier
    assert {s.tier for s in plan([schedule], date(2024, 9, 2), date(2024, 9, 3))} == {tier}


def test_a_bad_tier_is_refused_with_its_line_and_the_accepted_spellings(tmp_path: Path) -> None:
    text = BASE.replace("end = ", 'tier = "gấp"\nend = ')
    assert refused(tmp_path, text) == [
        "dòng 4: 'gấp' không phải là mức độ của bản tin; hãy viết \"thông thường\" (hoặc "
        '"thuong", "normal"), "ưu tiên" ("uu-tien", "priority") hoặc "khẩn cấp" '
        '("khan-cap", "emergency")'
    ]


# --------------------------------------------------------------------------- one-off events

ONE_OFF = """\
[campaign]
name = "Ngày tiêm chủng"
date = "20/09/2024"

[[slot]]
name = "nhắc lịch"
time = "07:30"
playlist = ["thong-bao"]
zones = "tất cả"

[[slot]]
name = "nhắc lại"
time = "16:00"
playlist = ["thong-bao"]
zones = ["thon-2"]
"""


def test_a_one_off_event_needs_no_days_and_plays_on_its_day_only(tmp_path: Path) -> None:
    (schedule,), problems = check([write(tmp_path, ONE_OFF)])
    assert problems == []
    assert schedule.start == schedule.end == date(2024, 9, 20)
    sessions = plan([schedule], date(2024, 9, 1), date(2024, 9, 30))
    assert [(s.at, s.slot, s.zones) for s in sessions] == [
        (datetime(2024, 9, 20, 7, 30, tzinfo=TZ), "nhắc lịch", ZONES),
        (datetime(2024, 9, 20, 16, 0, tzinfo=TZ), "nhắc lại", ("thon-2",)),
    ]


def test_start_equal_to_end_is_a_one_off_too(tmp_path: Path) -> None:
    text = ONE_OFF.replace('date = "20/09/2024"', "start = 2024-09-20\nend = 2024-09-20")
    (schedule,), problems = check([write(tmp_path, text)])
    assert problems == []
    assert len(plan([schedule], date(2024, 9, 1), date(2024, 9, 30))) == 2


def test_a_campaign_of_several_days_still_needs_days(tmp_path: Path) -> None:
    assert refused(tmp_path, BASE.replace('days = "hằng ngày"\n', "")) == [
        "dòng 6: thiếu khoá bắt buộc 'slot.days'; thêm dòng: days = \"hằng ngày\""
    ]


def test_a_date_with_a_window_is_refused_naming_both(tmp_path: Path) -> None:
    text = ONE_OFF.replace('date = "20/09/2024"', 'date = "20/09/2024"\nend = 2024-09-21')
    assert refused(tmp_path, text) == [
        "dòng 4: 'date' là ngày của một buổi phát riêng lẻ, không viết thêm 'end'; hãy dùng "
        "date = … hoặc start = … và end = …"
    ]


# --------------------------------------------------------------------------- languages

LANGUAGES = BASE.replace(
    'playlist = ["thong-bao"]',
    'playlist = ["Thông báo", "huong-dan"]\nlanguages = ["vi", "ede"]',
)


def test_each_item_plays_in_each_language_in_order(tmp_path: Path) -> None:
    (schedule,), problems = check([write(tmp_path, LANGUAGES)])
    assert problems == []
    (session,) = plan([schedule], date(2024, 9, 2), date(2024, 9, 2))
    assert session.playlist == ("thong-bao", "thong-bao-ede", "huong-dan", "huong-dan-ede")
    assert session.languages == ("vi", "ede")
    assert session.expected_seconds == WARMUP + 60 + 70 + 30 + 40 + TAIL


def test_a_daily_rotation_plays_one_language_a_day_counted_from_the_start(tmp_path: Path) -> None:
    text = LANGUAGES.replace(
        'languages = ["vi", "ede"]', 'languages = ["vi", "ede"]\nlanguage_rotation = "hằng ngày"'
    ).replace("end = 2024-09-15", "end = 2024-09-15\nexcept = [2024-09-03]")
    (schedule,), problems = check([write(tmp_path, text)])
    assert problems == []
    sessions = plan([schedule], date(2024, 9, 2), date(2024, 9, 6))
    assert [(s.at.day, s.languages, s.playlist) for s in sessions] == [
        (2, ("vi",), ("thong-bao", "huong-dan")),
        # the 3rd is an exception day: the rotation counts calendar days, not sessions
        (4, ("vi",), ("thong-bao", "huong-dan")),
        (5, ("ede",), ("thong-bao-ede", "huong-dan-ede")),
        (6, ("vi",), ("thong-bao", "huong-dan")),
    ]


@pytest.mark.parametrize(
    ("languages", "sentence"),
    [
        (
            '["vi", "jra"]',
            "dòng 11: bài 'Thông báo' chưa có bản tiếng 'jra' (đã có: ede, vi); hãy nhập bản "
            'dịch: loaxa clips import TỆP --clip-lang jra --translation-of "Thông báo"',
        ),
        (
            '["vi", "tay"]',
            "dòng 11: thư viện chưa có bài nào bằng tiếng 'tay'; các tiếng đã có: ede, jra, vi",
        ),
        (
            '["vi", "Ê Đê"]',
            "dòng 11: 'Ê Đê' không phải là mã tiếng; hãy viết mã như khi nhập bài (--clip-lang), "
            'ví dụ "vi", "ede", "jra"',
        ),
        (
            '["vi", "VI"]',
            "dòng 11: tiếng 'vi' được ghi hai lần trong 'languages'; mỗi tiếng chỉ ghi một lần",
        ),
    ],
)
def test_a_language_that_cannot_play_is_refused_with_its_line(
    tmp_path: Path, languages: str, sentence: str
) -> None:
    text = LANGUAGES.replace('["vi", "ede"]', languages)
    assert refused(tmp_path, text) == [sentence]


def test_a_rotation_needs_languages_and_says_daily(tmp_path: Path) -> None:
    text = BASE.replace('zones = ["thon-1"]', 'zones = ["thon-1"]\nlanguage_rotation = "weekly"')
    assert refused(tmp_path, text) == [
        'dòng 12: language_rotation chỉ nhận "hằng ngày" ("daily": mỗi ngày một tiếng, lần lượt), '
        'không phải "weekly"',
        'dòng 6: thiếu khoá bắt buộc \'slot.languages\'; thêm dòng: languages = ["vi", "ede"]',
    ]


def test_a_translation_removed_later_fails_the_session_not_the_language() -> None:
    """The plan never puts the original in place of a missing translation."""
    from firmware_host.schedules.model import Slot
    from firmware_host.schedules.plan import in_languages

    slot = Slot("s", time(6), frozenset(range(7)), ("nhac-hieu",), 1, 0.0, ("thon-1",), 1)
    slot = dataclasses.replace(slot, languages=("vi", "ede"))
    playlist, _ = in_languages(slot, date(2024, 9, 2), date(2024, 9, 2), VERSIONS)
    assert playlist == ("nhac-hieu", "nhac-hieu (ede)")


def test_the_documented_examples_are_valid(tmp_path: Path) -> None:
    """docs/schedules.md: the one-day campaign as written, the bilingual slot under a
    campaign head."""
    from tests.helpers import REPO

    doc = (REPO / "docs" / "schedules.md").read_text("utf-8")
    blocks = [part.split("```", 1)[0] for part in doc.split("```toml\n")[1:]]
    one_day = next(b for b in blocks if "date = " in b and "[[slot]]" in b)
    bilingual = next(b for b in blocks if "languages = " in b)
    family = {"vi": "thong-bao-tiem-chung", "ede": "tiem-chung-ede"}
    versions = {"thong-bao-tiem-chung": family, "huong-dan": {"vi": "huong-dan", "ede": "hd-ede"}}
    refs = {"thong-bao-tiem-chung": 60.0, "tiem-chung-ede": 70.0, "huong-dan": 30.0, "hd-ede": 35.0}
    head = '[campaign]\nname = "Tiêm chủng"\nstart = 2024-09-02\nend = 2024-09-08\n\n'
    paths = [write(tmp_path, one_day, "a.toml"), write(tmp_path, head + bilingual, "b.toml")]
    kept, problems = check(paths, refs=refs, versions=versions)
    assert problems == [] and len(kept) == 2


# --------------------------------------------------------------------------- the policy

QUIET = policy(quiet_hours=((time(21, 30), time(5, 30)),))


def test_the_policy_is_off_by_default(tmp_path: Path) -> None:
    text = BASE.replace('"06:30"', '"22:00"').replace('"hằng ngày"', '"T2-CN"')
    _kept, problems = check([write(tmp_path, text)])
    assert problems == []


@pytest.mark.parametrize(
    ("at", "sentence"),
    [
        (
            "21:45",
            "dòng 8: khung giờ này phát vào giờ im lặng 21:30–05:30 của xã ([policy] quiet_hours) "
            "vào ngày 02/09/2024 từ 21:45 đến 21:46:02 và 13 ngày khác; hãy dời giờ phát ra ngoài "
            "khoảng này",
        ),
        (
            "05:29",
            "dòng 8: khung giờ này phát vào giờ im lặng 21:30–05:30 của xã ([policy] quiet_hours) "
            "vào ngày 02/09/2024 từ 05:29 đến 05:30:02 và 13 ngày khác; hãy dời giờ phát ra ngoài "
            "khoảng này",
        ),
        (
            "21:29",  # starts before, is still on air at 21:30
            "dòng 8: khung giờ này phát vào giờ im lặng 21:30–05:30 của xã ([policy] quiet_hours) "
            "vào ngày 02/09/2024 từ 21:29 đến 21:30:02 và 13 ngày khác; hãy dời giờ phát ra ngoài "
            "khoảng này",
        ),
    ],
)
def test_a_slot_in_quiet_hours_is_refused_naming_rule_line_and_first_date(
    tmp_path: Path, at: str, sentence: str
) -> None:
    assert refused(tmp_path, BASE.replace('"06:30"', f'"{at}"'), QUIET) == [sentence]


@pytest.mark.parametrize("at", ["05:30", "21:28:57"])  # 62.5 s: ends at 21:29:59.5
def test_a_slot_that_only_touches_quiet_hours_plays(tmp_path: Path, at: str) -> None:
    _kept, problems = check([write(tmp_path, BASE.replace('"06:30"', f'"{at}"'))], QUIET)
    assert problems == []


def test_a_session_longer_than_allowed_is_refused_at_its_playlist(tmp_path: Path) -> None:
    text = BASE.replace('["thong-bao"]', '["thong-bao"]\nrepeat = 2\ngap_seconds = 7.5')
    rules = policy(max_session_minutes=2)
    # 2 + 2 × 60 + 7.5 + 0.5 = 130 s
    assert refused(tmp_path, text, rules) == [
        "dòng 10: buổi phát dài 2.2 phút, quá 2 phút cho phép ([policy] max_session_minutes) "
        "vào ngày 02/09/2024 và 13 ngày khác; hãy bớt bài, giảm repeat hoặc chia thành hai "
        "khung giờ"
    ]
    _kept, problems = check([write(tmp_path, text)], policy(max_session_minutes=2.5))
    assert problems == []


def test_a_day_over_the_cap_is_refused_on_the_later_slot_of_all_files(tmp_path: Path) -> None:
    morning = write(tmp_path, BASE, "a.toml")
    noon = write(tmp_path, BASE.replace('"06:30"', '"11:00"'), "b.toml")
    evening = write(
        tmp_path,
        BASE.replace('"06:30"', '"17:00"').replace('"hằng ngày"', '"T6"'),
        "c.toml",
    )
    kept, problems = check([morning, noon, evening], policy(max_sessions_per_day=2))
    assert [str(p) for p in problems] == [
        f"{evening}, dòng 8: ngày 06/09/2024 đã có 2 buổi phát trước khung giờ này, đủ mức tối "
        "đa một ngày ([policy] max_sessions_per_day, tính mọi tệp lịch) và 1 ngày khác; hãy bớt "
        "một khung giờ"
    ]
    assert [s.path for s in kept] == [morning, noon]
    # A file waiting for approval counts last, even if it plays first.
    kept, problems = check([morning, noon, evening], policy(max_sessions_per_day=2), ["a.toml"])
    assert {p.file for p in problems} == {str(morning)}
    assert [s.path for s in kept] == [noon, evening]


def test_weekend_slots_are_refused_when_the_commune_broadcasts_weekdays_only(
    tmp_path: Path,
) -> None:
    rules = policy(weekdays_only=True)
    assert refused(tmp_path, BASE, rules) == [
        "dòng 9: khung giờ này phát vào T7 07/09/2024 và 3 ngày khác, nhưng xã chỉ phát từ thứ "
        "Hai đến thứ Sáu ([policy] weekdays_only); hãy bỏ T7, CN khỏi 'days'"
    ]
    _kept, problems = check([write(tmp_path, BASE.replace("hằng ngày", "T2-T6"))], rules)
    assert problems == []
    saturday = ONE_OFF.replace("20/09/2024", "21/09/2024")
    assert refused(tmp_path, saturday, rules) == [
        "dòng 5: khung giờ này phát vào T7 21/09/2024, nhưng xã chỉ phát từ thứ Hai đến thứ Sáu "
        "([policy] weekdays_only); hãy bỏ T7, CN khỏi 'days'",
        "dòng 11: khung giờ này phát vào T7 21/09/2024, nhưng xã chỉ phát từ thứ Hai đến thứ Sáu "
        "([policy] weekdays_only); hãy bỏ T7, CN khỏi 'days'",
    ]


def test_an_emergency_campaign_ignores_the_policy_and_the_check_says_so(tmp_path: Path) -> None:
    text = BASE.replace('"06:30"', '"23:00"').replace("end = ", 'tier = "khẩn cấp"\nend = ')
    rules = dataclasses.replace(
        QUIET, weekdays_only=True, max_session_minutes=0.5, max_sessions_per_day=1
    )
    short = BASE.replace('"hằng ngày"', '"T2-T6"').replace('"thong-bao"', '"nhac-hieu"')
    other = write(tmp_path, short, "thuong.toml")
    path = write(tmp_path, text)
    kept, problems = check([path, other], rules)
    assert [s.path for s in kept] == [path, other]
    assert all(p.severity == "warning" and p.file == str(path) for p in problems)
    assert [p.message for p in problems] == [
        "chiến dịch khẩn cấp: khung giờ này không theo giờ im lặng ([policy] quiet_hours) vào "
        "ngày 02/09/2024 và 13 ngày khác, nhưng vẫn được phát vì tin khẩn cấp không bị giới hạn",
        "chiến dịch khẩn cấp: khung giờ này không theo quy định chỉ phát từ thứ Hai đến thứ Sáu "
        "([policy] weekdays_only) vào ngày 07/09/2024 và 3 ngày khác, nhưng vẫn được phát vì tin "
        "khẩn cấp không bị giới hạn",
        "chiến dịch khẩn cấp: khung giờ này không theo thời lượng tối đa một buổi ([policy] "
        "max_session_minutes) vào ngày 02/09/2024 và 13 ngày khác, nhưng vẫn được phát vì tin "
        "khẩn cấp không bị giới hạn",
    ]


def test_a_priority_campaign_is_held_to_the_policy(tmp_path: Path) -> None:
    text = BASE.replace('"06:30"', '"22:00"').replace("end = ", 'tier = "ưu tiên"\nend = ')
    assert len(refused(tmp_path, text, QUIET)) == 1


def test_the_policy_is_said_in_english_too(tmp_path: Path) -> None:
    from firmware_host import messages

    path = write(tmp_path, BASE.replace('"06:30"', '"22:00"'))
    _kept, (problem,) = check([path], QUIET)
    messages.set_language("en")
    assert problem.message == (
        "this slot would be on air in the commune's quiet hours 21:30–05:30 ([policy] "
        "quiet_hours) on 02/09/2024 from 22:00 to 22:01:02 and on 13 other days; move it outside "
        "those hours"
    )


# --------------------------------------------------------------------------- property

TIER_WORDS = {"thuong": "thông thường", "uu-tien": "uu-tien", "khan-cap": "Khẩn cấp"}


@st.composite
def campaigns(draw: st.DrawFn, number: int) -> tuple[str, str, str]:
    start = date(2024, 9, 1) + timedelta(days=draw(st.integers(0, 10)))
    end = start + timedelta(days=draw(st.integers(0, 6)))
    tier = draw(st.sampled_from(sorted(TIER_WORDS)))
    lines = [
        "[campaign]",
        f'name = "c{number}"',
        f"start = {start}",
        f"end = {end}",
        f'tier = "{TIER_WORDS[tier]}"',
    ]
    for index in range(draw(st.integers(1, 3))):
        at = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 29, 30, 45, 59])))
        lines += [
            "",
            "[[slot]]",
            f'name = "s{index}"',
            f'time = "{at:%H:%M}"',
            'days = "hằng ngày"',
            "playlist = "
            + str(draw(st.lists(st.sampled_from(["thong-bao", "huong-dan"]), min_size=1))).replace(
                "'", '"'
            ),
            f"repeat = {draw(st.integers(1, 3))}",
            'zones = "tất cả"',
        ]
    return f"c{number}.toml", tier, "\n".join(lines) + "\n"


quiet_ranges = st.lists(
    st.tuples(
        st.integers(0, 23), st.sampled_from([0, 30]), st.integers(0, 23), st.sampled_from([0, 30])
    )
    .map(lambda r: (time(r[0], r[1]), time(r[2], r[3])))
    .filter(lambda r: r[0] != r[1]),
    min_size=1,
    max_size=2,
)


def in_quiet(start: datetime, end: datetime, quiet: list[tuple[time, time]]) -> bool:
    """On air in a quiet range, by the definition, on naive local time (Vietnam has
    no DST): the quiet periods of every day around the session, against its span."""
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    for offset in range(-1, (end.date() - start.date()).days + 1):
        day = start.date() + timedelta(days=offset)
        for low, high in quiet:
            begin = datetime.combine(day, low)
            finish = datetime.combine(day + timedelta(days=high <= low), high)
            if begin <= start < finish or start < begin < end:
                return True
    return False


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 3).flatmap(lambda n: st.tuples(*(campaigns(i) for i in range(n)))),
    quiet_ranges,
)
def test_accepted_schedules_never_air_in_quiet_hours_unless_emergency(
    specs: tuple[tuple[str, str, str], ...], quiet: list[tuple[time, time]]
) -> None:
    rules = policy(quiet_hours=tuple(quiet))
    with tempfile.TemporaryDirectory() as folder:
        paths = [write(Path(folder), text, name) for name, _tier, text in specs]
        kept, problems = check(paths, rules)
        every = [parse_schedule(path, zones=ZONES)[0] for path in paths]
    sessions = plan(every, date(2024, 8, 30), date(2024, 9, 20))
    quiet_refused = {Path(p.file).name for p in problems if p.key == "schedule.policy_quiet"}
    breaking = {
        s.schedule_file
        for s in sessions
        if s.tier != "khan-cap" and in_quiet(s.at, s.ends.astimezone(TZ), quiet)
    }
    event("refused" if quiet_refused else "accepted")
    # The checker's verdict is exactly the truth of the plan...
    assert quiet_refused == breaking
    # ...nothing it keeps airs in quiet hours unless it is an emergency...
    for session in plan(kept, date(2024, 8, 30), date(2024, 9, 20)):
        if in_quiet(session.at, session.ends.astimezone(TZ), quiet):
            assert session.tier == "khan-cap"
    # ...and only emergencies are let through with a warning.
    tiers = {name: tier for name, tier, _text in specs}
    ignored = {Path(p.file).name for p in problems if p.key == "schedule.policy_ignored"}
    assert all(tiers[name] == "khan-cap" for name in ignored)
