"""The Vietnamese words of the printed reports, in one place, shared by every format.

A report is an administrative document a commune sends to its province (since 1 July
2025 there are no districts: 34 provinces, 3,321 communes and wards, local government
on two levels). It is written in Vietnamese whatever language the box's messages use,
so this wording is not in the bilingual message catalogue (which is for the operator
at the terminal). Keeping it here means the DOCX, XLSX, CSV and JSON say the same
thing in the same words, and the counting rule printed on them is the one
``counts.py`` implements.
"""

from __future__ import annotations

from datetime import date, datetime

from firmware_host.report.counts import MANUAL_CAMPAIGN, MonthReport

# What counts.py does, said to an official. One sentence per point of its docstring.
COUNTING_RULE = (
    "Một lượt là một lần phát trọn vẹn một bài (đến hết bài) trong một buổi phát; buổi phát "
    "có 2 bài, lặp lại 3 lần, được tính 6 lượt.",
    "Một buổi phát chỉ được tính khi đã phát xong toàn bộ. Bài đã phát trọn vẹn trước khi "
    "buổi phát bị gián đoạn vẫn được tính lượt, nhưng buổi đó không được tính là buổi phát.",
    "Thời lượng là tổng thời gian âm thanh của các lượt phát trọn vẹn; phần phát dở "
    "không được tính.",
    "Một vùng loa được tính là đã phát một lượt khi vùng đó được bật trong buổi phát.",
    "Ngày của một buổi phát là ngày theo lịch (giờ phát theo lịch, hoặc giờ bắt đầu nếu phát "
    "tay) theo giờ địa phương ({timezone}); tháng kết thúc lúc 0 giờ, buổi phát bắt đầu lúc "
    "23 giờ 59 vẫn tính cho ngày đó dù bài kết thúc sau 0 giờ.",
    "Các buổi phát bị gián đoạn, bị lỗi hoặc bị bỏ lỡ không được tính là buổi phát; chúng được "
    "liệt kê riêng kèm lý do.",
    "Số liệu theo mức độ (thông thường, ưu tiên, khẩn cấp theo Thông tư 39/2020/TT-BTTTT) và "
    "theo tiếng của bài đã phát tính theo cùng quy tắc; một bản tin phát bằng tiếng Việt và "
    "tiếng Ê Đê được tính một lượt cho mỗi tiếng.",
    "Tiếp sóng (chương trình của đài khác, qua mạng hoặc máy thu) và phát trực tiếp qua micro "
    "được tính riêng theo từng hình thức: một lượt tiếp sóng chỉ được tính khi phần phát đi "
    "bằng âm thanh thật của đài đạt tỷ lệ thời lượng dự kiến đặt trong cấu hình của hộp (mặc "
    "định 90%; khoảng mất sóng hoặc im lặng kéo dài không được tính); thời lượng là số giây "
    "thực sự phát đi. Bài đọc bằng giọng máy (văn bản thành tiếng nói) được tính như mọi bài "
    "và được ghi chú riêng.",
    "Số liệu lấy hoàn toàn từ nhật ký phát của hộp điều khiển Loa Xã và đối chiếu được từng "
    "dòng với lệnh: loaxa log --month {month} --json",
)

FORM_SCHEDULED = "Phát trên hệ thống loa truyền thanh của xã"
# A stored clip played by hand is "phát tay"; "phát trực tiếp" is the microphone alone
# (FORM_LIVE, LIVE_LABEL): the province must not read one as the other.
FORM_MANUAL = "Phát tay trên hệ thống loa (không theo lịch)"
MEDIUM = "Hệ thống loa truyền thanh xã"
MANUAL_LABEL = "Phát tay (không theo lịch)"
LIVE_LABEL = "Phát trực tiếp qua micro"
ALL_CAMPAIGNS = "các chiến dịch"

STATUS = {
    "started": "chưa kết thúc",
    "completed": "đã phát",
    "interrupted": "bị gián đoạn",
    "failed": "bị lỗi",
    "missed": "bị bỏ lỡ",
    "preempted": "bị cắt để phát khẩn cấp",
}
KIND = {"session": "buổi phát", "clip": "bài"}
# The tiers of Thông tư 39/2020/TT-BTTTT, as the document names them.
TIER = {"khan-cap": "Khẩn cấp", "uu-tien": "Ưu tiên", "thuong": "Thông thường"}
KIND = {"session": "buổi phát", "clip": "bài", "relay": "tiếp sóng", "live": "phát trực tiếp"}
FORM_RELAY = "Tiếp sóng"
FORM_LIVE = "Phát trực tiếp qua micro trên hệ thống loa"
SYNTHESISED = "đọc bằng giọng máy (văn bản thành tiếng nói)"
TRIGGER = {"schedule": "theo lịch", "manual": "phát tay"}
WEEKDAY = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

# Codes the clip import accepts are free (ISO 639 style); these are the ones a commune in
# Viet Nam is likely to use. Anything else is shown as its code.
LANGUAGES = {
    "vi": "Việt",
    "ede": "Ê Đê",
    "jra": "Gia Rai",
    "bdq": "Ba Na",
    "sed": "Xơ Đăng",
    "mng": "M'Nông",
    "cmo": "M'Nông",
    "mnong": "M'Nông",
    "km": "Khmer",
    "khm": "Khmer",
    "hmn": "H'Mông",
    "blu": "H'Mông",
    "tyz": "Tày",
    "nut": "Nùng",
    "blt": "Thái",
    "tai": "Thái",
    "cjm": "Chăm",
    "cja": "Chăm",
    "zh": "Hoa",
    "en": "Anh",
}

# Zone ids are ASCII slugs from loaxa.toml ("thon-1"); the printed report says "thôn 1".
_ZONE_WORDS = {
    "thon": "thôn",
    "buon": "buôn",
    "xom": "xóm",
    "ban": "bản",
    "ap": "ấp",
    "to": "tổ",
    "khoi": "khối",
    "khu": "khu",
    "lang": "làng",
    "doi": "đội",
    "cho": "chợ",
    "tdp": "tổ dân phố",
}
_LOCALITY_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")
_PROVINCE_PREFIXES = ("tỉnh ", "thành phố ", "tp. ", "tp ")
# The six centrally-run cities after the 2025 mergers: "Huế" alone means the city.
_CITIES = ("hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ", "huế")
# Since 1 March 2025 the grassroots information (thông tin cơ sở) of a province, and
# with it the commune loudspeaker systems, is with this department of the province.
CULTURE_DEPARTMENT = "Sở Văn hóa, Thể thao và Du lịch"
STATION = "Trạm truyền thanh"


def language_label(code: str | None) -> str:
    if not code:
        return ""
    return "Tiếng " + LANGUAGES.get(code.lower(), code)


def zone_label(zone: str) -> str:
    """ "thon-1" -> "thôn 1", "buon-ea-tu" -> "buôn Ea Tu": the kind of place in Vietnamese,
    the rest as a proper name (the slug lost its diacritics; capitals are what is left)."""
    words = [word for word in zone.replace("_", "-").split("-") if word]
    if not words or words[0].lower() not in _ZONE_WORDS:
        return " ".join(words)
    return " ".join([_ZONE_WORDS[words[0].lower()], *(word.capitalize() for word in words[1:])])


def zones_text(zones: list[str]) -> str:
    return ", ".join(zone_label(z) for z in zones)


def medium_text(zones: list[str]) -> str:
    """ "Hệ thống loa truyền thanh xã — các vùng: thôn 1, thôn 2" (phương tiện)."""
    return f"{MEDIUM} — các vùng: {zones_text(zones)}" if zones else MEDIUM


def campaign_label(name: str, *, live: bool = False) -> str:
    """A campaign's name; a broadcast without one is a live session or a play by hand."""
    if name != MANUAL_CAMPAIGN:
        return name
    return LIVE_LABEL if live else MANUAL_LABEL


def trigger_text(trigger: str | None, *, live: bool = False) -> str | None:
    """How an entry was started: "theo lịch", "phát tay", or the microphone."""
    if live and trigger == "manual":
        return LIVE_LABEL.lower()
    return TRIGGER.get(trigger or "", trigger)


def form_text(name: str) -> str:
    """Hình thức of a campaign row: scheduled broadcasts, or manual ones."""
    if name == MANUAL_CAMPAIGN:
        return FORM_MANUAL
    return f"{FORM_SCHEDULED} (chiến dịch “{name}”)"


def programme_form(row: dict) -> str:
    """Hình thức of a ``by_form`` row: "Tiếp sóng Đài TNVN – VOV1", or live."""
    if row["form"] == "live":
        return FORM_LIVE
    return f"{FORM_RELAY} {row['source']}".strip()


def _strip_prefix(name: str, prefixes: tuple[str, ...]) -> str:
    lowered = name.lower()
    for prefix in prefixes:
        if lowered.startswith(prefix):
            return name[len(prefix) :].strip()
    return name.strip()


def place_name(commune: str) -> str:
    """The place of the date line: "Xã Ea Tu" -> "Ea Tu"."""
    return _strip_prefix(commune, _LOCALITY_PREFIXES)


def province_place(province: str) -> str:
    """The place of a provincial body's date line: "Tỉnh Đắk Lắk" -> "Đắk Lắk"."""
    return _strip_prefix(province, _PROVINCE_PREFIXES)


def province_words(province: str) -> str:
    """ "Tỉnh Đắk Lắk" or "Đắk Lắk" -> "tỉnh Đắk Lắk"; "Cần Thơ" -> "thành phố Cần Thơ":
    the province as it follows a body's name ("Sở … tỉnh Đắk Lắk")."""
    place = province_place(province)
    if not place:
        return ""
    kind = "thành phố" if place.casefold() in _CITIES else "tỉnh"
    lowered = province.strip().lower()
    if lowered.startswith(("thành phố ", "tp")):
        kind = "thành phố"
    elif lowered.startswith("tỉnh "):
        kind = "tỉnh"
    return f"{kind} {place}"


def default_recipient(province: str) -> str:
    """Who a commune's report goes to when ``[report] recipient`` is empty."""
    return " ".join((CULTURE_DEPARTMENT, province_words(province))).strip()


def recipient_body(recipient: str, province: str) -> str:
    """The recipient without its province, for a letterhead under "UBND TỈNH …":
    "Sở Văn hóa, Thể thao và Du lịch tỉnh Đắk Lắk" -> "Sở Văn hóa, Thể thao và Du lịch"."""
    words = province_words(province)
    if words and recipient.casefold().endswith(" " + words.casefold()):
        return recipient[: -len(words)].strip().rstrip(",")
    return recipient


def month_recipient(report: MonthReport) -> str:
    """Who a month report is addressed to: as configured, else the province's department."""
    return report.recipient or default_recipient(report.commune.get("province", ""))


def station_label(station: str) -> str:
    """ "Hòa Xuân" -> "trạm Hòa Xuân" (a name already starting with "trạm" is kept)."""
    name = " ".join(station.split())
    if not name or name.casefold().startswith("trạm"):
        return name
    return f"trạm {name}"


def commune_and_station(commune: str, station: str) -> str:
    """ "Xã Hòa Phú, trạm Hòa Xuân", or the commune alone when it has one station."""
    return ", ".join(part for part in (commune, station_label(station)) if part)


def issuing_body(commune: str) -> str:
    """ "UBND XÃ EA TU": the commune people's committee, upper case as on a letterhead."""
    name = commune.strip()
    if not name.lower().startswith(_LOCALITY_PREFIXES):
        name = f"Xã {name}"
    return f"UBND {name.upper()}"


def province_body(province: str) -> str:
    """ "UBND TỈNH ĐẮK LẮK": the province people's committee, over its department."""
    words = province_words(province)
    return f"UBND {words.upper()}" if words else "UBND"


def official_date(day: date) -> str:
    """ "ngày 05 tháng 10 năm 2024": days below 10 and months below 3 take a leading zero
    (Nghị định 30/2020/NĐ-CP, the rule for the date line of administrative documents)."""
    month = f"{day.month:02}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02} tháng {month} năm {day.year}"


def place_and_date(place: str, moment: datetime | date) -> str:
    day = moment.date() if isinstance(moment, datetime) else moment
    return f"{place}, {official_date(day)}"


def month_words(month: str) -> str:
    """ "2024-09" -> "tháng 9 năm 2024"."""
    year, number = month.split("-")
    return f"tháng {int(number)} năm {year}"


def month_subject(campaign: str | None) -> str:
    """What the report is about: one campaign, manual broadcasts, or every campaign."""
    if campaign is None:
        return ALL_CAMPAIGNS
    if campaign == MANUAL_CAMPAIGN:
        return "các buổi phát trực tiếp"
    return f"chiến dịch “{campaign}”"


def report_title(campaign: str | None, month: str, station: str = "") -> str:
    system = f"xã ({station_label(station)})" if station else "xã"
    return (
        f"Kết quả tuyên truyền {month_subject(campaign)} trên hệ thống loa truyền thanh "
        f"{system} {month_words(month)}"
    )


def counting_rule(timezone: str, month: str) -> list[str]:
    return [line.format(timezone=timezone, month=month) for line in COUNTING_RULE]


def number(value: float, digits: int = 1) -> str:
    """Vietnamese number writing: decimal comma, dot between thousands (1.234,5)."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def short_date(text: str) -> str:
    """ "2024-09-05" -> "05/09/2024"."""
    return date.fromisoformat(text).strftime("%d/%m/%Y")


def weekday(text: str) -> str:
    return WEEKDAY[date.fromisoformat(text).weekday()]
