"""A month report as plain tables of typed cells, the common ground of XLSX and CSV.

Both spreadsheet formats show the same sections with the same headers; building them
once means a figure cannot differ between the two files. Cells keep their types
(``int``, ``float``, ``date``, naive local ``datetime``) so the XLSX holds real numbers
and dates, and the CSV writer decides alone how to spell them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.report import wording as w
from firmware_host.report.counts import FORMS, MonthReport, _day_of, source_name, tier_of

Cell = str | int | float | date | datetime | None

SHEET_SUMMARY = "Tổng hợp"
SHEET_ENTRIES = "Nhật ký phát"
SECTION_IDENTITY = "Thông tin chung"
SECTION_TOTALS = "Tổng cộng"
SECTION_CAMPAIGNS = "Theo chiến dịch"
SECTION_TIERS = "Theo mức độ"
SECTION_LANGUAGES = "Theo tiếng"
SECTION_FORMS = "Tiếp sóng và phát trực tiếp"
SECTION_CLIPS = "Theo bài phát"
SECTION_ZONES = "Theo vùng loa"
SECTION_DAYS = "Theo ngày"
SECTION_PROBLEMS = "Buổi phát không trọn vẹn (không tính)"
SECTION_RULE = "Cách tính số liệu"


@dataclass
class Section:
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: bool = False  # free text rows (the counting rule), not a table


def local(text: str | None, tz: ZoneInfo) -> datetime | None:
    """An ISO time from the log as naive local time: Excel cells have no time zone."""
    if not text:
        return None
    return datetime.fromisoformat(text).astimezone(tz).replace(tzinfo=None)


def zone_note(report: MonthReport) -> str:
    """The header line that says which clock the naive times in the sheet are on."""
    year, month = (int(part) for part in report.month.split("-"))
    offset = datetime(year, month, 1, 12, tzinfo=ZoneInfo(report.timezone)).strftime("%z")
    return f"Giờ trong bảng là giờ địa phương {report.timezone} (UTC{offset[:3]}:{offset[3:]})"


def report_heading(report: MonthReport) -> str:
    name, station = report.commune.get("name", ""), report.commune.get("station", "")
    return f"Báo cáo {w.report_title(report.campaign, report.month, station)} — {name}"


def summary_sections(report: MonthReport) -> list[Section]:
    tz = ZoneInfo(report.timezone)
    totals = report.totals
    year, month = (int(part) for part in report.month.split("-"))
    identity = Section(SECTION_IDENTITY, ["Mục", "Nội dung"])
    identity.rows = [
        ["Xã/phường", report.commune.get("name", "")],
        [w.STATION, report.commune.get("station", "")],
        ["Tỉnh/thành phố", report.commune.get("province", "")],
        ["Nơi nhận báo cáo", w.month_recipient(report)],
        ["Tháng", date(year, month, 1)],
        ["Nội dung báo cáo", w.month_subject(report.campaign)],
        ["Múi giờ", report.timezone],
        ["Lập lúc", local(report.generated_at, tz)],
    ]
    summary = Section(SECTION_TOTALS, ["Chỉ tiêu", "Giá trị", "Đơn vị"])
    summary.rows = [
        ["Số buổi phát trọn vẹn", totals["sessions_completed"], "buổi"],
        ["Số lượt phát trọn vẹn", totals["plays_completed"], "lượt"],
        ["Thời lượng phát", totals["minutes_on_air"], "phút"],
        ["Thời lượng phát", totals["seconds_on_air"], "giây"],
        ["Số ngày có phát", totals["days_with_broadcast"], "ngày"],
        ["Buổi phát bị gián đoạn", totals["sessions_interrupted"], "buổi"],
        ["Buổi phát bị lỗi", totals["sessions_failed"], "buổi"],
        ["Buổi phát bị bỏ lỡ", totals["sessions_missed"], "buổi"],
        ["Buổi phát bị cắt để phát khẩn cấp", totals.get("sessions_preempted", 0), "buổi"],
        ["Lượt phát dở (gián đoạn)", totals["plays_interrupted"], "lượt"],
        ["Lượt phát lỗi", totals["plays_failed"], "lượt"],
        ["Thời lượng phát dở (không tính)", totals["seconds_partial"], "giây"],
        ["Số lượt tiếp sóng trọn vẹn", totals["relay_completed"], "lượt"],
        ["Thời lượng tiếp sóng", totals["relay_minutes"], "phút"],
        ["Số lượt phát trực tiếp", totals["live_completed"], "lượt"],
        ["Thời lượng phát trực tiếp", totals["live_minutes"], "phút"],
    ]
    campaigns = Section(
        SECTION_CAMPAIGNS,
        [
            "Chiến dịch",
            "Hình thức",
            "Số buổi",
            "Số lượt",
            "Thời lượng (phút)",
            "Thời lượng (giây)",
            "Số ngày có phát",
            "Vùng loa",
        ],
    )
    campaigns.rows = [
        [
            w.campaign_label(c["campaign"]),
            w.form_text(c["campaign"]),
            c["sessions"],
            c["plays"],
            w.minutes(c["seconds"]),
            c["seconds"],
            c["days"],
            ", ".join(c["zones"]),
        ]
        for c in report.by_campaign
    ]
    tiers = Section(
        SECTION_TIERS,
        ["Mức độ", "Số buổi", "Số lượt", "Thời lượng (phút)", "Thời lượng (giây)"],
    )
    tiers.rows = [
        [w.TIER[x["tier"]], x["sessions"], x["plays"], w.minutes(x["seconds"]), x["seconds"]]
        for x in report.by_tier
    ]
    languages = Section(
        SECTION_LANGUAGES,
        ["Tiếng", "Số lượt", "Số bài", "Thời lượng (phút)", "Thời lượng (giây)"],
    )
    languages.rows = [
        [
            w.language_label(x["language"]) or x["language"],
            x["plays"],
            x["clips"],
            w.minutes(x["seconds"]),
            x["seconds"],
        ]
        for x in report.by_language
    ]
    forms = Section(
        SECTION_FORMS,
        [
            "Hình thức",
            "Số lượt",
            "Thời lượng (phút)",
            "Thời lượng (giây)",
            "Số ngày có phát",
            "Vùng loa",
            "Lượt không trọn vẹn (không tính)",
            "Số lần mất sóng",
        ],
    )
    forms.rows = [
        [
            w.programme_form(f),
            f["plays"],
            w.minutes(f["seconds"]),
            f["seconds"],
            f["days"],
            ", ".join(f["zones"]),
            f["incomplete"],
            f["dropouts"],
        ]
        for f in report.by_form
    ]
    clips = Section(
        SECTION_CLIPS,
        [
            "Mã bài",
            "Tên bài",
            "Tiếng",
            "Số lượt",
            "Thời lượng (phút)",
            "Thời lượng (giây)",
            "Ghi chú",
        ],
    )
    clips.rows = [
        [
            c["clip_id"],
            c.get("title") or c["clip_id"],
            w.language_label(c.get("language")),
            c["plays"],
            w.minutes(c["seconds"]),
            c["seconds"],
            w.SYNTHESISED if c.get("synthesised") else "",
        ]
        for c in report.by_clip
    ]
    zones = Section(SECTION_ZONES, ["Vùng loa", "Tên vùng", "Số buổi", "Số lượt"])
    zones.rows = [
        [z["zone"], w.zone_label(z["zone"]), z["sessions"], z["plays"]] for z in report.by_zone
    ]
    days = Section(
        SECTION_DAYS,
        ["Ngày", "Thứ", "Số buổi", "Số lượt", "Thời lượng (phút)", "Thời lượng (giây)"],
    )
    days.rows = [
        [
            date.fromisoformat(d["date"]),
            w.weekday(d["date"]),
            d["sessions"],
            d["plays"],
            w.minutes(d["seconds"]),
            d["seconds"],
        ]
        for d in report.by_day
    ]
    problems = Section(
        SECTION_PROBLEMS,
        ["Giờ", "Chiến dịch", "Khung giờ", "Kết quả", "Lượt đã phát trọn", "Lý do"],
    )
    problems.rows = [
        [
            datetime.fromisoformat(f"{p.day}T{p.time}"),
            w.campaign_label(p.campaign, live=p.live),
            p.slot,
            w.STATUS.get(p.status, p.status),
            p.plays_completed,
            p.reason,
        ]
        for p in report.problems
    ]
    rule = Section(SECTION_RULE, [], note=True)
    rule.rows = [[line] for line in w.counting_rule(report.timezone, report.month)]
    return [
        identity, summary, campaigns, tiers, forms, clips, languages, zones, days, problems, rule,
    ]


ENTRY_HEADERS = [
    "Mục số",
    "Loại",
    "Mã buổi phát",
    "Kết quả",
    "Kích hoạt",
    "Chiến dịch",
    "Khung giờ",
    "Ngày tính",
    "Giờ theo lịch",
    "Bắt đầu",
    "Kết thúc",
    "Thời lượng (giây)",
    "Trễ (giây)",
    "Vùng loa",
    "Lượt thứ",
    "Mã bài",
    "Tên bài",
    "Tiếng",
    "Độ dài bài (giây)",
    "Lỗi / ghi chú",
    "Mức độ",
]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def entry_rows(report: MonthReport) -> list[list[Cell]]:
    """Every log row of the month, one line each, in log order."""
    tz = ZoneInfo(report.timezone)
    live_sessions = {e["session_id"] for e in report.entries if e["kind"] == "live"} - {None}
    rows: list[list[Cell]] = []
    for e in report.entries:
        live = e.get("session_id") in live_sessions  # the session and its live entry
        clip = e["kind"] == "clip"
        item = clip or e["kind"] in FORMS  # a clip, a relayed programme, a live session
        title = e.get("clip_title") if clip else _programme_title(e)
        length = e.get("clip_duration") if clip else e.get("planned_seconds")
        rows.append(
            [
                e.get("entry"),
                w.KIND.get(e["kind"], e["kind"]),
                e.get("session_id"),
                w.STATUS.get(e["status"], e["status"]),
                w.trigger_text(e.get("trigger"), live=live),
                w.campaign_label(e.get("campaign") or "", live=live),
                e.get("slot") or "",
                _day_of(e, tz),
                local(e.get("scheduled"), tz),
                local(e.get("started"), tz),
                local(e.get("ended"), tz),
                _number(e.get("seconds")),
                _number(e.get("late_seconds")),
                ", ".join(e.get("zones") or []),
                e.get("play_index") if item else None,
                e.get("clip_id") if clip else None,
                title if item else None,
                w.language_label(e.get("clip_language")) if clip else None,
                _number(length) if item else None,
                e.get("error") or e.get("note") or "",
                w.TIER[tier_of(e)] if e["kind"] != "event" else None,
            ]
        )
    return rows


def _programme_title(entry: dict[str, Any]) -> str:
    """The title of a relay or live entry, with what it lost (drop-outs) or who spoke."""
    form = w.programme_form({"form": entry["kind"], "source": source_name(entry)})
    if entry["kind"] == "live" and entry.get("by"):
        return f"{form} ({entry['by']})"
    if entry.get("dropouts"):
        return f"{form} (mất sóng {entry['dropouts']} lần, {entry.get('dropout_seconds', 0)} giây)"
    return form
