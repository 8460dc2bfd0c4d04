"""Vietnamese text written for the eye, rewritten as a broadcaster reads it aloud.

An officer types "Cắt nước 16/9/2024 từ 7h30-11h, liên hệ UBND xã 0912 345 678"; a
speech engine fed that text reads the slashes, guesses at "7h30" and says "U B N D".
This module turns the text into the words an announcer would say, before any engine
sees it, so every engine speaks the same (and a preview shows exactly what will air).

Convention: **Northern standard (Hà Nội)**, the usual norm of VOV and provincial
broadcasting, used consistently:

* numbers: "nghìn" (not "ngàn"), "linh" (not "lẻ") for a zero tens digit (105 "một
  trăm linh năm"), "mười"/"mươi" (10 / 20+), "mốt" after "mươi" (21), "lăm" after
  "mười"/"mươi" (15, 25), "tư" after "mươi" (24, as in "hai mươi tư giờ") but "mười
  bốn", and "không trăm" for an inner group under 100 (2024 "hai nghìn không trăm hai
  mươi tư"); "tỷ", then "nghìn tỷ". Decimals use the Vietnamese comma: "1,5" "một phẩy
  năm"; a dot between groups of three digits separates thousands ("50.000").
* dates without "mùng" (the formal reading): "ngày năm tháng chín"; April is "tháng tư".
* times: "17h30", "17:30", "17g30" → "mười bảy giờ ba mươi phút"; "7-9 giờ" → "bảy đến
  chín giờ".
* phone numbers digit by digit ("bốn", "một", "năm" as digits), a pause (comma)
  between the groups the writer used, or 4-3-3 / 3-4-4 when written in one block.
* ordinals after "thứ": "thứ nhất", "thứ tư", otherwise the cardinal ("thứ hai").

Everything here is pure (no I/O, no config): :func:`normalize` takes the commune's
extra abbreviations as an argument. The rules run in a fixed order, each on what the
previous ones left; once digits have become words no later rule can read them again.
Text the rules do not recognise is left as written for the engine.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from types import MappingProxyType

__all__ = [
    "BUILTIN_ABBREVIATIONS",
    "digits_words",
    "has_words",
    "normalize",
    "number_words",
]

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# A digit string longer than this (nghìn tỷ = 10^15) is a code, not an amount.
MAX_NUMBER_DIGITS = 15

# Abbreviations common in commune announcements, as an announcer expands them. Keys are
# matched case-sensitively as whole words; the commune's [tts.abbreviations] table
# extends this and wins on the same key (e.g. "TT" = "thị trấn" where that is meant).
BUILTIN_ABBREVIATIONS: Mapping[str, str] = MappingProxyType(
    {
        "UBND": "ủy ban nhân dân",
        "HĐND": "hội đồng nhân dân",
        "MTTQ": "mặt trận tổ quốc",
        "UBMTTQ": "ủy ban mặt trận tổ quốc",
        "MTTQVN": "mặt trận tổ quốc Việt Nam",
        "TT": "thông tư",
        "NĐ": "nghị định",
        "NQ": "nghị quyết",
        "QĐ": "quyết định",
        "CP": "chính phủ",
        "V/v": "về việc",
        "Đ/c": "đồng chí",
        "đ/c": "đồng chí",
        "HTX": "hợp tác xã",
        "CA": "công an",
        "THCS": "trung học cơ sở",
        "THPT": "trung học phổ thông",
        "BHYT": "bảo hiểm y tế",
        "BHXH": "bảo hiểm xã hội",
        "BHTN": "bảo hiểm thất nghiệp",
        "CCCD": "căn cước công dân",
        "CMND": "chứng minh nhân dân",
        "CSGT": "cảnh sát giao thông",
        "ATGT": "an toàn giao thông",
        "ATTP": "an toàn thực phẩm",
        "VSATTP": "vệ sinh an toàn thực phẩm",
        "PCCC": "phòng cháy chữa cháy",
        "PCCCR": "phòng cháy chữa cháy rừng",
        "PCTT": "phòng chống thiên tai",
        "TKCN": "tìm kiếm cứu nạn",
        "TYT": "trạm y tế",
        "TTYT": "trung tâm y tế",
        "BCH": "ban chỉ huy",
        "BCHQS": "ban chỉ huy quân sự",
        "BQL": "ban quản lý",
        "BTC": "ban tổ chức",
        "ĐTN": "đoàn thanh niên",
        "HLHPN": "hội liên hiệp phụ nữ",
        "LHPN": "liên hiệp phụ nữ",
        "CCB": "cựu chiến binh",
        "HND": "hội nông dân",
        "CLB": "câu lạc bộ",
        "NTM": "nông thôn mới",
        "KDC": "khu dân cư",
        "TDP": "tổ dân phố",
        "KP": "khu phố",
        "TP": "thành phố",
        "TX": "thị xã",
        "HCM": "Hồ Chí Minh",
        "VN": "Việt Nam",
        "TW": "trung ương",
        "QH": "quốc hội",
        "ĐBQH": "đại biểu quốc hội",
        "LĐTBXH": "lao động thương binh và xã hội",
        "NN&PTNT": "nông nghiệp và phát triển nông thôn",
        "TT&TT": "thông tin và truyền thông",
        "BTTTT": "bộ thông tin và truyền thông",
        "KT-XH": "kinh tế xã hội",
        "SXKD": "sản xuất kinh doanh",
        "BVTV": "bảo vệ thực vật",
        "KHHGĐ": "kế hoạch hóa gia đình",
        "SĐT": "số điện thoại",
        "CN": "chủ nhật",
        "COVID-19": "cô vít mười chín",
        "Covid-19": "cô vít mười chín",
    }
)

# Units read after a number (longest first where one is a prefix of another).
UNITS: Mapping[str, str] = MappingProxyType(
    {
        "km/h": "ki lô mét một giờ",
        "km²": "ki lô mét vuông",
        "km2": "ki lô mét vuông",
        "km": "ki lô mét",
        "m²": "mét vuông",
        "m2": "mét vuông",
        "m³": "mét khối",
        "m3": "mét khối",
        "cm": "xen ti mét",
        "mm": "mi li mét",
        "m": "mét",
        "kg": "ki lô gam",
        "ha": "héc ta",
        "ml": "mi li lít",
        "l": "lít",
        "kWh": "ki lô oát giờ",
        "kW": "ki lô oát",
        "°C": "độ xê",
        "℃": "độ xê",
        "°": "độ",
    }
)

WEEKDAYS = {"2": "thứ hai", "3": "thứ ba", "4": "thứ tư", "5": "thứ năm", "6": "thứ sáu"}
WEEKDAYS |= {"7": "thứ bảy", "CN": "chủ nhật"}
ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "\u00a0": " "})
_SENTENCE_END = ".!?:;,"


# ---------------------------------------------------------------------- numbers


def _hundreds(n: int, full: bool) -> str:
    """0 < n < 1000; *full* inside a bigger number, where 24 is "không trăm hai mươi tư"."""
    hundreds, rest = divmod(n, 100)
    tens, unit = divmod(rest, 10)
    words = [DIGITS[hundreds], "trăm"] if hundreds or full else []
    if tens == 0:
        if unit:
            words += ["linh", DIGITS[unit]] if words else [DIGITS[unit]]
    elif tens == 1:
        words.append("mười")
        if unit:
            words.append("lăm" if unit == 5 else DIGITS[unit])
    else:
        words += [DIGITS[tens], "mươi"]
        if unit:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(unit, DIGITS[unit]))
    return " ".join(words)


def _words(n: int, full: bool) -> str:
    for scale, name in ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn")):
        if n >= scale:
            high, low = divmod(n, scale)
            spoken = f"{_words(high, full)} {name}"
            return f"{spoken} {_words(low, True)}" if low else spoken
    return _hundreds(n, full)


def number_words(n: int) -> str:
    """A whole number as read aloud: 2024 → "hai nghìn không trăm hai mươi tư"."""
    if n < 0:
        return f"âm {number_words(-n)}"
    return "không" if n == 0 else _words(n, False)


def digits_words(digits: str) -> str:
    """Digit by digit: "0912" → "không chín một hai" (other characters are dropped)."""
    return " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def _integer(text: str) -> str:
    """A written integer: leading zeros and over-long strings are codes, read digit by digit."""
    if (len(text) > 1 and text.startswith("0")) or len(text) > MAX_NUMBER_DIGITS:
        return digits_words(text)
    return number_words(int(text))


def _decimal(whole: str, fraction: str) -> str:
    """ "1,5" → "một phẩy năm"; "0,05" → "không phẩy không năm"; long fractions digit by digit."""
    head = _integer(whole)
    if len(fraction) > 3:
        return f"{head} phẩy {digits_words(fraction)}"
    zeros = len(fraction) - len(fraction.lstrip("0"))
    rest = fraction.lstrip("0")
    spoken = " ".join(["không"] * zeros + ([number_words(int(rest))] if rest else []))
    return f"{head} phẩy {spoken}"


# An amount: "50.000", "1.500.000,5", "1,5", "200"; in money also "50,000" (English).
_AMOUNT = r"\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"


def _amount(text: str, *, money: bool = False) -> str:
    """Read an amount in the Vietnamese convention (dot = thousands, comma = decimals).

    In money a comma between groups of three is a thousands separator too, since
    Vietnamese đồng have no fraction ("50,000đ" typed on an English keyboard).
    """
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", text):
        whole, _, fraction = text.partition(",")
        whole = whole.replace(".", "")
        return _decimal(whole, fraction) if fraction else _integer(whole)
    if money and re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return _integer(text.replace(",", ""))
    if "," in text or "." in text:
        whole, fraction = re.split(r"[.,]", text, maxsplit=1)
        return _decimal(whole, fraction)
    return _integer(text)


def _month(n: int) -> str:
    return "tư" if n == 4 else number_words(n)


def _ordinal(n: int) -> str:
    return {1: "nhất", 4: "tư"}.get(n, number_words(n))


def _roman(text: str) -> int | None:
    values = [ROMAN[c] for c in text]
    total = 0
    for i, value in enumerate(values):
        total += -value if i + 1 < len(values) and value < values[i + 1] else value
    return total if 0 < total < 400 else None


# ---------------------------------------------------------------------- rules


def _keep_case(written: str, word: str) -> str:
    """ "Ngày" stays capitalised at the start of a sentence; "ngày" stays lower case."""
    return word.capitalize() if written[:1].isupper() else word


def _phone(match: re.Match[str]) -> str:
    """Digit by digit, a pause between the groups as written (4-3-3 / 3-4-4 if one block)."""
    prefix, rest = match.group(1), match.group(2)
    groups = [g for g in re.split(r"[ .\-]", prefix + rest) if g]
    if len(groups) == 1 and prefix == "0":
        digits = groups[0]
        cut = (4, 7) if len(digits) == 10 else (3, 7)
        groups = [digits[: cut[0]], digits[cut[0] : cut[1]], digits[cut[1] :]]
    elif len(groups) == 1:  # "+84912345678"
        groups = [prefix, rest[:3], rest[3:6], rest[6:]]
    spoken = []
    for group in groups:
        if group.startswith("+"):
            spoken.append("cộng " + digits_words(group))
        else:
            spoken.append(digits_words(group))
    return ", ".join(spoken)


def _hotline(match: re.Match[str]) -> str:
    groups = [g for g in re.split(r"[ .]", match.group(0)) if g]
    if len(groups) == 1:
        groups = [groups[0][:4], groups[0][4:]]
    return ", ".join(digits_words(g) for g in groups)


def _valid_date(day: str, month: str) -> bool:
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


def _date(match: re.Match[str]) -> str:
    word, day, month, year = match.group(1), match.group(2), match.group(4), match.group(5)
    if not _valid_date(day, month):
        return match.group(0)
    spoken = f"{number_words(int(day))} tháng {_month(int(month))} năm {number_words(int(year))}"
    return f"{_keep_case(word or 'ngày', 'ngày')} {spoken}"


def _date_range(match: re.Match[str]) -> str:
    word, first, last, month, year = match.groups()
    if not (_valid_date(first, month) and _valid_date(last, month)):
        return match.group(0)
    spoken = (
        f"{_keep_case(word or 'ngày', 'ngày')} {number_words(int(first))} đến ngày "
        f"{number_words(int(last))} tháng {_month(int(month))}"
    )
    return f"{spoken} năm {number_words(int(year))}" if year else spoken


def _day_month(match: re.Match[str]) -> str:
    word, day, month = match.groups()
    if not _valid_date(day, month):
        return match.group(0)
    spoken = f"{number_words(int(day))} tháng {_month(int(month))}"
    return f"{_keep_case(word or 'ngày', 'ngày')} {spoken}"


def _month_year(match: re.Match[str]) -> str:
    word, month, year = match.groups()
    if not 1 <= int(month) <= 12:
        return match.group(0)
    spoken = f"{_month(int(month))} năm {number_words(int(year))}"
    return f"{_keep_case(word or 'tháng', 'tháng')} {spoken}"


def _document(match: re.Match[str]) -> str:
    number, year, code = match.groups()
    after_so = match.string[: match.start()].endswith(("số ", "Số "))
    if not (after_so or code or int(number) > 12):
        return match.group(0)
    return f"{_integer(number)} năm {number_words(int(year))}" + (" " if code else "")


def _clock(match: re.Match[str]) -> str:
    hour, minute, second = match.group(1), match.group(2), match.group(3)
    if int(hour) > 24 or int(minute) > 59 or (second is not None and int(second) > 59):
        return match.group(0)
    spoken = f"{number_words(int(hour))} giờ"
    if int(minute) or second:
        spoken += f" {number_words(int(minute))} phút"
    if second and int(second):
        spoken += f" {number_words(int(second))} giây"
    return spoken


def _hour(match: re.Match[str]) -> str:
    hour = int(match.group(1))
    return f"{number_words(hour)} giờ" if hour <= 24 else match.group(0)


def _per(match: re.Match[str]) -> str:
    """ "/người" after an amount or unit: "năm mươi nghìn đồng một người"."""
    return " một " if match.groupdict().get("per") else ""


def _money(match: re.Match[str]) -> str:
    return f"{_amount(match.group(1), money=True)} đồng{_per(match)}"


def _multiplied(word: str) -> Callable[[re.Match[str]], str]:
    return lambda match: f"{_amount(match.group(1))} {word}{_per(match)}"


def _unit(match: re.Match[str]) -> str:
    return f" {UNITS[match.group(1)]}{_per(match)}"


def _ordinal_rule(match: re.Match[str]) -> str:
    word, first, last = match.groups()
    spoken = f"{word} {_ordinal(int(first))}"
    return f"{spoken} đến thứ {_ordinal(int(last))}" if last else spoken


def _weekday_range(match: re.Match[str]) -> str:
    return f"{WEEKDAYS[match.group(1)]} đến {WEEKDAYS[match.group(2).removeprefix('T')]}"


def _roman_rule(match: re.Match[str]) -> str:
    value = _roman(match.group(2))
    return match.group(0) if value is None else f"{match.group(1)} {number_words(value)}"


def _number(match: re.Match[str]) -> str:
    return _amount(match.group(0))


_PER = r"(?:\s*(?P<per>/)\s*(?=[^\W\d_]))?"
_UNIT_NAMES = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_ROMAN_AFTER = (
    r"(?<!\w)([Qq]uý|[Kk]hóa|[Kk]hoá|[Đđ]ại hội|[Kk]ỳ họp|[Tt]hế kỷ|[Tt]hế kỉ|[Cc]hương|[Đđ]ợt)"
    r"\s+([IVXLC]+)(?!\w)"
)

# (pattern, replacement) in the order they run; see the module docstring for why.
_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # weekdays written T2…T7, CN ("T2-T6" is a range of days, not a subtraction)
    (re.compile(r"(?<!\w)T([2-7])\s*-\s*(T[2-7]|CN)(?!\w)"), _weekday_range),
    (re.compile(r"(?<!\w)T([2-7])(?!\w)"), lambda m: WEEKDAYS[m.group(1)]),
]
_NUMBER_RULES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # phone numbers: 0 + 9–10 digits, +84 + 9–10 digits, 1800/1900 hotlines; and a short
    # service number after "gọi" / "tổng đài" / "đường dây nóng" ("gọi 113")
    (re.compile(r"(?<![\w+.,])(\+84|0)((?:[ .\-]?\d){9,10})(?![\w.,]?\d)(?!\w)"), _phone),
    (re.compile(r"(?<![\w.,])1[89]00(?:[ .]?\d){4,6}(?![\w.,]?\d)(?!\w)"), _hotline),
    (
        re.compile(r"(?<!\w)((?:[Gg]ọi|[Tt]ổng đài|[Đđ]ường dây nóng)(?: số)?\s+)(\d{3,5})(?!\w)"),
        lambda m: m.group(1) + digits_words(m.group(2)),
    ),
    # document numbers "số 05/2024", "39/2020/TT-…": number and year (the code is read
    # from the table); "9/2024" without "số" or a code is a month, below
    (
        re.compile(r"(?<![\d/])(\d{1,5})/(\d{4})(/(?=[^\W\d_]))?(?![\d/])"),
        _document,
    ),
    # a spaced dash after a number, before a date or a weekday: "16/9 - 20/9", "thứ 2 - thứ 6"
    (re.compile(r"(?<=\d)\s+-\s+(?=\d|[Tt]hứ\s)"), " đến "),
    # dates: a range "16-18/9", a full date "16/9/2024" (/, . or -), "16/9", "9/2024"
    (
        re.compile(
            r"(?:(?<!\w)([Nn]gày)\s+)?(?<![\d/.,])(\d{1,2})\s*-\s*(\d{1,2})/(\d{1,2})"
            r"(?:/(\d{4}))?(?![\d/])"
        ),
        _date_range,
    ),
    (
        re.compile(
            r"(?:(?<!\w)([Nn]gày)\s+)?(?<![\d/.,])(\d{1,2})([/.\-])(\d{1,2})\3(\d{4})(?!\d)"
        ),
        _date,
    ),
    (re.compile(r"(?:(?<!\w)([Nn]gày)\s+)?(?<![\d/.,])(\d{1,2})/(\d{1,2})(?![\d/])"), _day_month),
    (re.compile(r"(?<!\w)([Nn]gày)\s+(\d{1,2})\.(\d{1,2})(?!\d|\.\d)"), _day_month),
    (re.compile(r"(?:(?<!\w)([Tt]háng)\s+)?(?<![\d/.,])(\d{1,2})/(\d{4})(?![\d/])"), _month_year),
    # a dash between two numbers (or "7h-9h") is a range
    (re.compile(r"(?:(?<=\d)|(?<=\d[hHg]))\s*-\s*(?=\d)"), " đến "),
    # clock times "17h30", "17:30", "17g30", "17:30:15", and "17h" alone
    (
        re.compile(r"(?<![\d,.:])(\d{1,2})[hHg:](\d{2})(?::(\d{2}))?'?(?![\d:])"),
        _clock,
    ),
    (re.compile(r"(?<![\d,.:])(\d{1,2})[hHg](?!\w)"), _hour),
    # money, then "50k" / "2tr", percentages
    (
        re.compile(rf"({_AMOUNT})\s*(?:đồng|đ|VNĐ|VND|vnđ|vnd|Đ)(?!\w){_PER}"),
        _money,
    ),
    (re.compile(rf"({_AMOUNT})\s*[kK](?!\w){_PER}"), _multiplied("nghìn")),
    (re.compile(rf"({_AMOUNT})\s*tr(?!\w){_PER}"), _multiplied("triệu")),
    (re.compile(rf"({_AMOUNT})\s*(?:USD|\$)(?!\w){_PER}"), _multiplied("đô la Mỹ")),
    (re.compile(rf"({_AMOUNT})\s*%"), _multiplied("phần trăm")),
    # units right after a number
    (re.compile(rf"(?<=\d)\s?({_UNIT_NAMES})(?!\w){_PER}"), _unit),
    (re.compile(rf"(?<=một )({_UNIT_NAMES})(?!\w)"), lambda m: UNITS[m.group(1)]),
    # "2G", "4G": the network generations of the 2G switch-off campaigns
    (re.compile(r"(?<!\w)([2-5])G(?!\w)"), lambda m: f"{number_words(int(m.group(1)))} gờ"),
    # ordinals, months, Roman numerals after the words that take them
    (
        re.compile(r"(?<!\w)([Tt]hứ)\s+(\d{1,2})(?:\s+đến\s+(?:thứ\s+)?(\d{1,2}))?(?!\d|[.,]\d)"),
        _ordinal_rule,
    ),
    (
        re.compile(r"(?<!\w)([Tt]háng)\s+(\d{1,2})(?!\d|[.,/]\d)"),
        lambda m: (
            f"{m.group(1)} {_month(int(m.group(2)))}" if 1 <= int(m.group(2)) <= 12 else m.group(0)
        ),
    ),
    (re.compile(_ROMAN_AFTER), _roman_rule),
    # a minus sign before a number ("-5°C"), not a dash between words
    (re.compile(r"(?<![\w\d])-\s?(?=\d)"), "âm "),
    # whatever digits are left: amounts, decimals, plain numbers
    (
        re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d+,\d+|\d+\.\d{1,2}(?!\d|\.\d)|\d+"),
        _number,
    ),
]
_SYMBOLS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\s*&\s*"), " và "),
    (re.compile(r"(?<=[^\W\d_])[-/](?=[^\W\d_])"), " "),
    (re.compile(r"\s+([.,!?;:])"), r"\1"),
    (re.compile(r"\s+"), " "),
]


def _clean(text: str) -> str:
    """One line of plain text: NFC, no control characters, one dash, sentence per line.

    An officer types one idea per line without a full stop; a line break becomes the
    end of a sentence, so the engine pauses there as a reader would.
    """
    text = unicodedata.normalize("NFC", text).translate(_DASHES).replace("…", "...")
    lines = []
    for raw in text.splitlines():
        line = "".join(_visible(c) for c in raw).strip()
        if line:
            lines.append(line if line[-1] in _SENTENCE_END else f"{line}.")
    return " ".join(lines)


def _visible(char: str) -> str:
    """Control characters separate words; invisible format marks (zero-width) vanish."""
    category = unicodedata.category(char)
    if category == "Cc":
        return " "
    return "" if category[0] == "C" else char


def _abbreviation_rule(table: Mapping[str, str]) -> re.Pattern[str]:
    """Whole-word, case-sensitive, longest key first; "TP.HCM": the dot between goes."""
    keys = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?P<key>{keys})(?!\w)(?P<dot>\.(?=[^\W\d_]))?")


def normalize(text: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """The words to speak for *text* (Vietnamese, Northern standard; see module doc).

    *abbreviations* (the commune's ``[tts.abbreviations]``) extend and override
    :data:`BUILTIN_ABBREVIATIONS`.
    """
    table = {**BUILTIN_ABBREVIATIONS, **(abbreviations or {})}
    text = _clean(text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    if table:
        text = _abbreviation_rule(table).sub(
            lambda m: table[m.group("key")] + (" " if m.group("dot") else ""), text
        )
    for pattern, replacement in _NUMBER_RULES + _SYMBOLS:
        text = pattern.sub(replacement, text)
    return text.strip()


def has_words(text: str) -> bool:
    """True if *text* has at least one letter to speak (not only punctuation or symbols)."""
    return any(c.isalpha() for c in text)
