"""Planning: which sessions exist, when exactly, and how long they keep the amplifier on.

The unit tests build Schedule objects directly (planning is pure); the property
tests go through real files and the real checker, so they also prove that the
checker's "no overlap" verdict is what the planner then does.
"""

from __future__ import annotations

import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from firmware_host.schedules import Schedule, Slot, check_schedules, parse_schedule
from firmware_host.schedules.plan import (
    PlannedSession,
    expected_seconds,
    find_overlaps,
    plan_sessions,
    sessions_between,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CLIPS = {"thong-bao": 60.0, "huong-dan": 30.0, "nhac-hieu": 7.5}
KW = {"tz": HCM, "clip_refs": CLIPS, "warmup": 2.0, "tail": 0.5}


def make_slot(name: str = "sáng", at: time = time(6, 30), days=range(7), **kw) -> Slot:
    values = {
        "playlist": ("thong-bao",),
        "repeat": 1,
        "gap_seconds": 5.0,
        "zones": ("thon-1",),
        "line": 1,
        **kw,
    }
    return Slot(name=name, time=at, days=frozenset(days), **values)


def make_schedule(
    *slots: Slot,
    start: date = date(2024, 8, 1),
    end: date = date(2024, 8, 31),
    exceptions=(),
    file: str = "lich.toml",
) -> Schedule:
    return Schedule(
        path=Path("/du-lieu/schedules") / file,
        campaign="Tắt sóng 2G",
        start=start,
        end=end,
        exceptions=frozenset(exceptions),
        slots=slots or (make_slot(),),
    )


# --------------------------------------------------------------------------- which days


def test_weekday_filtering() -> None:
    schedule = make_schedule(make_slot(days={0, 2, 4}))  # Mon, Wed, Fri
    sessions = plan_sessions([schedule], date(2024, 8, 5), date(2024, 8, 18), **KW)
    assert [s.at.date() for s in sessions] == [date(2024, 8, d) for d in (5, 7, 9, 12, 14, 16)]
    assert all(s.at.weekday() in {0, 2, 4} for s in sessions)


def test_window_ends_are_inclusive_and_clip_the_range() -> None:
    schedule = make_schedule(start=date(2024, 8, 10), end=date(2024, 8, 12))
    days = [
        s.at.date() for s in plan_sessions([schedule], date(2024, 8, 1), date(2024, 9, 1), **KW)
    ]
    assert days == [date(2024, 8, 10), date(2024, 8, 11), date(2024, 8, 12)]
    # A range that only touches the last day still gets it; one after the window gets none.
    assert len(plan_sessions([schedule], date(2024, 8, 12), date(2024, 8, 20), **KW)) == 1
    assert plan_sessions([schedule], date(2024, 8, 13), date(2024, 8, 20), **KW) == []
    assert plan_sessions([schedule], date(2024, 8, 12), date(2024, 8, 11), **KW) == []


def test_exception_dates_are_skipped() -> None:
    schedule = make_schedule(
        make_slot("sáng"),
        make_slot("chiều", time(17, 0)),
        start=date(2024, 9, 1),
        end=date(2024, 9, 4),
        exceptions={date(2024, 9, 2), date(2024, 9, 3), date(2025, 1, 1)},
    )
    sessions = plan_sessions([schedule], date(2024, 9, 1), date(2024, 9, 30), **KW)
    assert [(s.at.day, s.slot) for s in sessions] == [
        (1, "sáng"),
        (1, "chiều"),
        (4, "sáng"),
        (4, "chiều"),
    ]


# --------------------------------------------------------------------------- when exactly


def test_times_are_aware_in_the_commune_zone_not_the_machine_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The test machine runs in UTC; switching its zone must change nothing."""
    schedule = make_schedule()
    before = plan_sessions([schedule], date(2024, 8, 1), date(2024, 8, 1), **KW)
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    clock.tzset()
    try:
        assert datetime(2024, 8, 1, 12).astimezone().utcoffset() == timedelta(hours=-7)
        after = plan_sessions([schedule], date(2024, 8, 1), date(2024, 8, 1), **KW)
    finally:
        monkeypatch.undo()
        clock.tzset()
    assert after == before
    (session,) = before
    assert session.at.tzinfo is HCM
    assert session.at.utcoffset() == timedelta(hours=7)
    assert (session.at.hour, session.at.minute) == (6, 30)
    assert session.at.astimezone(UTC) == datetime(2024, 7, 31, 23, 30, tzinfo=UTC)
    assert session.key == "lich.toml#sáng@2024-08-01T06:30:00+07:00"


def test_dst_gap_and_ends_in_a_zone_that_has_dst() -> None:
    """The zone comes from the config; a DST zone must not break planning."""
    berlin = ZoneInfo("Europe/Berlin")
    schedule = make_schedule(
        make_slot(at=time(2, 30)), start=date(2024, 3, 30), end=date(2024, 3, 31)
    )
    kw = {**KW, "tz": berlin, "clip_refs": {"thong-bao": 3600.0}, "warmup": 0, "tail": 0}
    saturday, sunday = plan_sessions([schedule], date(2024, 3, 30), date(2024, 3, 31), **kw)
    assert saturday.at.isoformat() == "2024-03-30T02:30:00+01:00"
    assert saturday.ends.isoformat() == "2024-03-30T03:30:00+01:00"
    # 02:30 does not exist on the 31st: the session starts at the first real minute after.
    assert sunday.at.isoformat() == "2024-03-31T03:30:00+02:00"
    assert sunday.ends.isoformat() == "2024-03-31T04:30:00+02:00"


def test_sorted_by_time_then_key() -> None:
    a = make_schedule(make_slot("b", time(7, 0)), make_slot("a", time(7, 0)), file="x.toml")
    b = make_schedule(make_slot("z", time(6, 0)), file="a.toml")
    sessions = plan_sessions([a, b], date(2024, 8, 1), date(2024, 8, 1), **KW)
    assert [s.key.split("@")[0] for s in sessions] == ["a.toml#z", "x.toml#a", "x.toml#b"]


# --------------------------------------------------------------------------- how long


def test_expected_seconds_arithmetic() -> None:
    slot = make_slot(playlist=("thong-bao", "huong-dan", "chua-nhap"), repeat=3, gap_seconds=10)
    (session,) = plan_sessions([make_schedule(slot)], date(2024, 8, 1), date(2024, 8, 1), **KW)
    # warmup 2 + 3 × (60 + 30 + 0 for the clip not imported yet) + 2 gaps × 10 + tail 0.5
    assert session.expected_seconds == 2 + 3 * 90 + 2 * 10 + 0.5 == 292.5
    assert session.ends - session.at == timedelta(seconds=292.5)
    assert (session.playlist, session.repeat, session.gap_seconds) == (
        ("thong-bao", "huong-dan", "chua-nhap"),
        3,
        10.0,
    )
    assert (session.campaign, session.slot, session.schedule_file, session.zones) == (
        "Tắt sóng 2G",
        "sáng",
        "lich.toml",
        ("thon-1",),
    )
    single = expected_seconds(["nhac-hieu"], 1, 99, clip_refs=CLIPS, warmup=1, tail=1)
    assert single == 9.5  # one repeat: no gap at all


# --------------------------------------------------------------------------- between


def test_sessions_between_is_half_open_in_any_zone() -> None:
    schedule = make_schedule(make_slot("sáng"), make_slot("chiều", time(17, 0)))
    six_thirty = datetime(2024, 8, 5, 6, 30, tzinfo=HCM)
    five_pm = datetime(2024, 8, 5, 17, 0, tzinfo=HCM)
    found = sessions_between([schedule], six_thirty, five_pm, **KW)
    assert [s.at for s in found] == [six_thirty]  # start included, end excluded
    found = sessions_between([schedule], six_thirty, five_pm + timedelta(microseconds=1), **KW)
    assert [s.at for s in found] == [six_thirty, five_pm]
    # The same instants written in UTC; the UTC date of 06:30 is the day before.
    utc = sessions_between(
        [schedule],
        six_thirty.astimezone(UTC),
        (five_pm + timedelta(seconds=1)).astimezone(UTC),
        **KW,
    )
    assert [s.at for s in utc] == [six_thirty, five_pm]
    week = sessions_between(
        [schedule], datetime(2024, 8, 5, tzinfo=HCM), datetime(2024, 8, 12, tzinfo=HCM), **KW
    )
    assert len(week) == 14


def test_sessions_between_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sessions_between([make_schedule()], datetime(2024, 8, 1), datetime(2024, 8, 2), **KW)


# --------------------------------------------------------------------------- overlaps


def session_at(hour: int, minute: int, seconds: float, second: int = 0) -> PlannedSession:
    return PlannedSession(
        at=datetime(2024, 8, 1, hour, minute, second, tzinfo=HCM),
        campaign="c",
        slot=f"{hour:02d}{minute:02d}{second:02d}",
        schedule_file="f.toml",
        playlist=(),
        repeat=1,
        gap_seconds=0,
        zones=("thon-1",),
        expected_seconds=seconds,
    )


def test_find_overlaps() -> None:
    long = session_at(6, 0, 3600)  # 06:00–07:00
    inside = session_at(6, 30, 60)
    touching = session_at(7, 0, 60)  # starts exactly when `long` ends
    later = session_at(7, 0, 60, second=30)  # inside `touching`
    zero_a, zero_b = session_at(9, 0, 0), session_at(9, 0, 0)
    zero_b = PlannedSession(**{**zero_b.__dict__, "slot": "other"})
    pairs = find_overlaps([later, zero_b, touching, inside, zero_a, long])
    assert [(a.slot, b.slot) for a, b in pairs] == [
        ("060000", "063000"),
        ("070000", "070030"),
        ("090000", "other"),  # two starts at one instant always collide
    ]


@pytest.mark.parametrize("overlap", [1.0, 0.5, 0.001])
def test_an_overlap_of_a_second_or_less_at_the_edge_is_caught(overlap: float) -> None:
    """The sweep's comparison is exact: a session still on air for a fraction of a
    second when the next starts collides; one that ends exactly then does not."""
    first = session_at(6, 0, 60 + overlap)  # 06:00:00 – 06:01:00 + overlap
    touching = session_at(6, 1, 60)  # starts at 06:01:00
    assert [(a.slot, b.slot) for a, b in find_overlaps([touching, first])] == [("060000", "060100")]
    exact = session_at(6, 0, 60)  # ends exactly at 06:01:00
    assert find_overlaps([touching, exact]) == []


def test_a_slot_one_second_into_the_previous_session_is_refused(tmp_path: Path) -> None:
    """The same edge through real files: 06:00 + 2 s warm-up + 60 s + 0.5 s tail ends at
    06:01:02.5, so a slot at 06:01:02 collides and one at 06:01:03 does not."""

    def slot(name: str, at: str) -> str:
        return (
            f'[[slot]]\nname = "{name}"\ntime = "{at}"\ndays = "hằng ngày"\n'
            'playlist = ["thong-bao"]\nzones = ["thon-1"]\n'
        )

    campaign = '[campaign]\nname = "c"\nstart = 2024-08-01\nend = 2024-08-01\n'
    for second, collides in (("06:01:02", True), ("06:01:03", False)):
        path = tmp_path / "lich.toml"
        path.write_text(campaign + slot("a", "06:00") + slot("b", second), "utf-8")
        schedules, problems = check_schedules([path], zones=("thon-1",), **KW)
        assert [p.key for p in problems] == (["schedule.overlap"] if collides else [])
        assert len(schedules) == (0 if collides else 1)


# --------------------------------------------------------------------------- properties

DAY_WORDS = {
    0: ["T2", "Thứ 2", "thứ hai", "mon", "Monday"],
    1: ["T3", "Thứ 3", "tue"],
    2: ["T4", "thứ tư", "wed"],
    3: ["T5", "Thứ 5", "thu", "thursday"],
    4: ["T6", "Thứ 6", "fri"],
    5: ["T7", "Thứ 7", "thứ bảy", "sat"],
    6: ["CN", "Chủ nhật", "sun", "Sunday"],
}


@st.composite
def slot_specs(draw: st.DrawFn, index: int) -> dict:
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    if days == set(range(7)) and draw(st.booleans()):
        days_toml = '"hằng ngày"'
    else:
        words = [draw(st.sampled_from(DAY_WORDS[d])) for d in sorted(days)]
        days_toml = "[" + ", ".join(f'"{w}"' for w in words) + "]"
    return {
        "name": f"khung-{index}",
        # Few distinct hours so collisions are common enough to test both outcomes.
        "time": time(draw(st.sampled_from([6, 7, 17])), draw(st.integers(0, 59))),
        "days": days,
        "days_toml": days_toml,
        "playlist": draw(st.lists(st.sampled_from(sorted(CLIPS)), min_size=1, max_size=3)),
        "repeat": draw(st.integers(1, 4)),
        "gap": draw(st.sampled_from([0, 5, 30.5, 120])),
        "zones": draw(st.sampled_from([["thon-1"], ["thon-2", "thon-1"], "tất cả"])),
    }


@st.composite
def campaign_specs(draw: st.DrawFn, number: int) -> dict:
    start = draw(st.dates(date(2024, 1, 1), date(2025, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 24)))
    exceptions = draw(
        st.sets(st.integers(-3, (end - start).days + 3).map(lambda n: start + timedelta(days=n)))
    )
    count = draw(st.integers(1, 3))
    return {
        "file": f"chien-dich-{number}.toml",
        "start": start,
        "end": end,
        "exceptions": exceptions,
        "slots": [draw(slot_specs(i)) for i in range(count)],
        "date_style": draw(st.sampled_from(["toml", "iso", "dmy"])),
    }


def render(spec: dict) -> str:
    def written(day: date) -> str:
        return {
            "toml": day.isoformat(),
            "iso": f'"{day.isoformat()}"',
            "dmy": f'"{day.strftime("%d/%m/%Y")}"',
        }[spec["date_style"]]

    lines = [
        "[campaign]",
        f'name = "{spec["file"]}"',
        f"start = {written(spec['start'])}",
        f"end = {written(spec['end'])}",
        "except = [" + ", ".join(written(d) for d in sorted(spec["exceptions"])) + "]",
    ]
    for slot in spec["slots"]:
        zones = slot["zones"]
        lines += [
            "",
            "[[slot]]",
            f'name = "{slot["name"]}"',
            f'time = "{slot["time"].strftime("%H:%M")}"',
            f"days = {slot['days_toml']}",
            "playlist = [" + ", ".join(f'"{ref}"' for ref in slot["playlist"]) + "]",
            f"repeat = {slot['repeat']}",
            f"gap_seconds = {slot['gap']}",
            f'zones = "{zones}"'
            if isinstance(zones, str)
            else f"zones = {zones}".replace("'", '"'),
        ]
    return "\n".join(lines) + "\n"


def collide(a: PlannedSession, b: PlannedSession) -> bool:
    """Overlap by the definition, written independently of plan.find_overlaps."""
    a_start, b_start = a.at.astimezone(UTC), b.at.astimezone(UTC)
    return a_start == b_start or (a_start < b.ends and b_start < a.ends)


def brute_force_overlap(sessions: list[PlannedSession]) -> bool:
    return any(collide(a, b) for i, a in enumerate(sessions) for b in sessions[i + 1 :])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(*(campaign_specs(i) for i in range(n)))))
def test_checked_schedules_plan_without_collisions(specs: tuple[dict, ...]) -> None:
    zones = ("thon-1", "thon-2", "thon-3")
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for spec in specs:
            path = Path(folder) / spec["file"]
            path.write_text(render(spec), "utf-8")
            paths.append(path)
        kept, problems = check_schedules(
            paths, zones=zones, clip_refs=CLIPS, warmup=2.0, tail=0.5, tz=HCM
        )
        parsed = [parse_schedule(path, zones=zones)[0] for path in paths]

    errors = [p for p in problems if p.severity == "error"]
    event("collision" if errors else "no collision")
    assert {p.key for p in errors} <= {"schedule.overlap"}, [str(p) for p in errors]
    assert all(schedule is not None for schedule in parsed)

    # The files say what the specs say.
    for spec, schedule in zip(specs, parsed, strict=True):
        assert (schedule.start, schedule.end) == (spec["start"], spec["end"])
        assert schedule.exceptions == spec["exceptions"]
        for want, slot in zip(spec["slots"], schedule.slots, strict=True):
            assert (slot.name, slot.time, slot.days) == (want["name"], want["time"], want["days"])
            assert slot.playlist == tuple(want["playlist"])
            assert (slot.repeat, slot.gap_seconds) == (want["repeat"], want["gap"])

    first = min(s["start"] for s in specs) - timedelta(days=5)
    last = max(s["end"] for s in specs) + timedelta(days=5)
    every = plan_sessions(parsed, first, last, **KW)
    # The checker's verdict is exactly the truth of the plan.
    assert bool(errors) == brute_force_overlap(every)
    # Whatever it keeps never collides, never plays outside its window or on a holiday.
    planned = plan_sessions(kept, first, last, **KW)
    assert not brute_force_overlap(planned)
    by_file = {schedule.path.name: schedule for schedule in kept}
    for session in planned:
        schedule = by_file[session.schedule_file]
        day = session.at.date()
        assert schedule.start <= day <= schedule.end
        assert day not in schedule.exceptions
        slot = next(slot for slot in schedule.slots if slot.name == session.slot)
        assert day.weekday() in slot.days
        assert session.at.utcoffset() == timedelta(hours=7)
    assert len({session.key for session in every}) == len(every)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 23 * 60 + 59), st.floats(0, 7200, allow_nan=False)),
        max_size=12,
    )
)
def test_find_overlaps_matches_brute_force(raw: list[tuple[int, float]]) -> None:
    sessions = [
        PlannedSession(
            at=datetime(2024, 8, 1, tzinfo=HCM) + timedelta(minutes=minute),
            campaign="c",
            slot=f"s{i}",
            schedule_file="f.toml",
            playlist=(),
            repeat=1,
            gap_seconds=0,
            zones=(),
            expected_seconds=seconds,
        )
        for i, (minute, seconds) in enumerate(raw)
    ]
    found = {frozenset((a.slot, b.slot)) for a, b in find_overlaps(sessions)}
    expected = {
        frozenset((a.slot, b.slot))
        for i, a in enumerate(sessions)
        for b in sessions[i + 1 :]
        if collide(a, b)
    }
    assert found == expected
