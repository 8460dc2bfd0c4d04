"""Merging the boxes' month exports: a commune's table, or a province's.

Since 1 July 2025 there are no districts: a commune reports to its province, and a
merged commune often runs several boxes, one per former commune's system, each named
by its ``[commune] station``. So the exports given are either one commune's stations
(the commune adds them up before it reports: a row per station and the commune's
total) or many communes' (the province's table: a row per commune, its stations added
up, and every station in detail). The merge chooses by what it is given.

The office receives exports on USB sticks and by Zalo, often twice, sometimes for the
wrong month. A merged figure that silently counts a station twice, or mixes August
with September, is worse than no figure, so both are refused with the file names that
cause them. The one forgiving case is the same export received twice (byte for byte):
it is counted once and the operator is told. Exports made before July 2025 name a
district and no station: the district is ignored, the box is the commune's only one.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.messages import CATALOG, LoaxaError, error_text
from firmware_host.report import tables
from firmware_host.report import wording as w
from firmware_host.report.counts import FORMS, _form_totals
from firmware_host.report.jsonout import FORMAT
from firmware_host.tiers import RANK

_COUNTED = (
    "sessions_completed",
    "plays_completed",
    "seconds_on_air",
    "days_with_broadcast",
    "sessions_interrupted",
    "sessions_failed",
    "sessions_missed",
)
_ADDED = (
    "sessions_completed",
    "plays_completed",
    "seconds_on_air",
    "sessions_interrupted",
    "sessions_failed",
    "sessions_missed",
    "sessions_preempted",
)
COMMUNE, PROVINCE = "commune", "province"
# The breakdowns of an export that add up across stations: what names a line, and its
# figures. Not added: a line's days and zones (a day or "thôn 1" of one commune is not
# another's) and a language's distinct clips (two boxes may hold the same clip).
_BREAKDOWNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "by_tier": (("tier",), ("sessions", "plays", "seconds")),
    "by_language": (("language",), ("plays", "seconds")),
    "by_form": (
        ("form", "source"),
        ("plays", "seconds", "incomplete", "seconds_incomplete", "dropouts"),
    ),
}
_TIERS = sorted(RANK, key=RANK.__getitem__)  # emergency first, as a box's report lists them
Lines = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Figures:
    """A row of a merged table: one box's month as its export states it (a station), or
    a commune's stations of one month added up (then ``station`` joins their names)."""

    name: str  # the commune
    province: str
    station: str
    month: str
    campaign: str | None
    sessions_completed: int
    plays_completed: int
    seconds_on_air: float
    sessions_interrupted: int
    sessions_failed: int
    sessions_missed: int
    days: frozenset[str]  # dates with a completed play: two stations' days are not added
    sources: tuple[Path, ...]
    stations: int = 1
    sessions_preempted: int = 0  # cut by an emergency
    # the export's by_tier, by_language and by_form, their figures added up for a commune;
    # empty when the export is older than they are
    by_tier: Lines = ()
    by_language: Lines = ()
    by_form: Lines = ()

    @property
    def minutes_on_air(self) -> float:
        return round(self.seconds_on_air / 60, 1)

    @property
    def days_with_broadcast(self) -> int:
        return len(self.days)

    @property
    def sessions_not_completed(self) -> int:
        return (
            self.sessions_interrupted
            + self.sessions_failed
            + self.sessions_missed
            + self.sessions_preempted
        )


@dataclass
class MergedReport:
    level: str  # COMMUNE: one commune's stations; PROVINCE: many communes
    months: list[str]
    commune: str  # the commune of a commune's table, "" for a province's
    province: str
    recipient: str  # who the commune's table is addressed to; who makes the province's
    campaign: str | None  # the exports' common filter; None for all campaigns
    rows: list[Figures]  # stations (a commune's table) or communes (a province's)
    stations: list[Figures]  # every box's export, for the per-station detail
    totals: dict[str, Any]
    generated_at: str
    timezone: str
    warnings: list[LoaxaError] = field(default_factory=list)
    by_tier: Lines = ()  # every tier, in rank order
    by_language: Lines = ()
    by_form: Lines = ()  # relayed programmes by source, and live sessions

    @property
    def month(self) -> str:
        """ "2024-09", or "2024-08..2024-09" when mixed months were allowed."""
        return self.months[0] if len(self.months) == 1 else f"{self.months[0]}..{self.months[-1]}"

    @property
    def place(self) -> str:
        """Whose table it is: "Xã Hòa Phú" or "Tỉnh Đắk Lắk"."""
        return self.commune if self.level == COMMUNE else self.province


@dataclass(frozen=True)
class _Export:
    path: Path
    digest: str
    data: dict[str, Any]

    @property
    def commune_key(self) -> tuple[str, str]:
        commune = self.data["commune"]
        return (_fold(commune.get("name", "")), _fold(commune.get("province", "")))

    @property
    def key(self) -> tuple[str, str, str, str]:
        """One station's month: the same box, however its names were typed."""
        station = _fold(self.data["commune"].get("station", ""))
        return (*self.commune_key, station, self.data["month"])


def _fold(text: str) -> str:
    """Same name whatever the spacing, case or Unicode form it was typed with."""
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


def _sort_key(name: str) -> tuple[str, str]:
    """Roughly Vietnamese alphabetical by the name itself ("Xã"/"Phường" ignored): base
    letters first, đ after d."""
    folded = w.place_name(name).casefold().replace("đ", "d\uffff")
    base = unicodedata.normalize("NFD", folded)
    return ("".join(c for c in base if not unicodedata.combining(c)), name)


def vietnamese(notice: LoaxaError) -> str:
    """A notice in Vietnamese for the printed report, whatever the terminal's language."""
    return CATALOG[notice.key][0].format(**notice.params)


def _read(path: Path, *, explicit: bool, warnings: list[LoaxaError]) -> _Export | None:
    try:
        raw = path.read_bytes()
        data = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        if explicit:
            raise LoaxaError("report.merge_unreadable", file=path, detail=error_text(exc)) from exc
        warnings.append(LoaxaError("report.merge_skipped", file=path, detail=error_text(exc)))
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        if explicit:
            raise LoaxaError("report.merge_not_export", file=path, format=FORMAT)
        return None  # some other JSON in the folder (a log file, a settings file)
    problem = _invalid(data)
    if problem:
        raise LoaxaError("report.merge_bad_export", file=path, detail=problem)
    return _Export(path, hashlib.sha256(raw).hexdigest(), data)


def _invalid(data: dict[str, Any]) -> str | None:
    commune = data.get("commune")
    if not isinstance(commune, dict) or not str(commune.get("name", "")).strip():
        return "commune.name"
    if not isinstance(commune.get("station", ""), str):
        return "commune.station"
    month = data.get("month")
    try:
        datetime.strptime(str(month), "%Y-%m")
    except ValueError:
        return "month"
    totals = data.get("totals")
    if not isinstance(totals, dict):
        return "totals"
    for name in _COUNTED:
        value = totals.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"totals.{name}"
    days = data.get("by_day")
    if not isinstance(days, list) or not all(
        isinstance(d, dict) and isinstance(d.get("date"), str) and isinstance(d.get("plays"), int)
        for d in days
    ):
        return "by_day"
    for key in _BREAKDOWNS:
        lines = data.get(key)
        if lines is not None and not (
            isinstance(lines, list) and all(_valid_line(key, line) for line in lines)
        ):
            return key
    return None


def _valid_line(key: str, line: Any) -> bool:
    """A line of a breakdown: its names are text (a tier and a form the merge knows),
    its figures numbers (absent ones count 0)."""
    names, figures = _BREAKDOWNS[key]
    if not isinstance(line, dict) or not all(isinstance(line.get(n), str) for n in names):
        return False
    known: dict[str, Iterable[str]] = {"tier": RANK, "form": FORMS}
    if any(line[n] not in known[n] for n in names if n in known):
        return False
    values = [line.get(name, 0) for name in figures]
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _older(data: dict[str, Any]) -> list[str]:
    """The breakdowns an export lacks because the box that made it is older than they are."""
    return [key for key in _BREAKDOWNS if key not in data]


def _collect(paths: Sequence[Path], warnings: list[LoaxaError]) -> list[_Export]:
    exports: list[_Export] = []
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        if given.is_dir():
            candidates = [(p, False) for p in sorted(given.rglob("*.json")) if p.is_file()]
        elif given.is_file():
            candidates = [(given, True)]
        else:
            raise LoaxaError("file.not_found", path=given)
        for path, explicit in candidates:
            resolved = path.resolve()
            if resolved in seen:  # the same file reached twice (a file and its folder)
                continue
            seen.add(resolved)
            export = _read(path, explicit=explicit, warnings=warnings)
            if export is not None:
                exports.append(export)
    return exports


def _check_months(exports: list[_Export], allow_mixed: bool) -> list[str]:
    by_month: dict[str, list[str]] = defaultdict(list)
    for export in exports:
        by_month[export.data["month"]].append(str(export.path))
    months = sorted(by_month)
    if len(months) > 1 and not allow_mixed:
        detail = "; ".join(f"{m}: {', '.join(by_month[m])}" for m in months)
        raise LoaxaError("report.merge_mixed_months", months=", ".join(months), detail=detail)
    return months


def _drop_duplicates(exports: list[_Export], warnings: list[LoaxaError]) -> list[_Export]:
    """One export per station and month: byte-identical copies count once, differing
    ones are refused with every file named (which one is right is not ours to guess)."""
    groups: dict[tuple[str, str, str, str], list[_Export]] = defaultdict(list)
    for export in exports:
        groups[export.key].append(export)
    conflicts = []
    kept = []
    for group in groups.values():
        first = group[0]
        name = _station_text(first.data)
        files = ", ".join(str(e.path) for e in group)
        if len(group) == 1:
            kept.append(first)
        elif len({e.digest for e in group}) == 1:
            warnings.append(LoaxaError("report.merge_identical", commune=name, files=files))
            kept.append(first)
        else:
            conflicts.append(f"{name} ({first.data['month']}): {files}")
    if conflicts:
        raise LoaxaError("report.merge_duplicate", detail="; ".join(conflicts))
    return kept


def _station_text(data: dict[str, Any]) -> str:
    """ "Xã Hòa Phú, trạm Hòa Xuân, Tỉnh Đắk Lắk"."""
    commune = data["commune"]
    where = w.commune_and_station(commune.get("name", ""), commune.get("station", ""))
    return ", ".join(p for p in (where, commune.get("province", "")) if p)


def _figures(export: _Export) -> Figures:
    data, totals = export.data, export.data["totals"]
    return Figures(
        name=" ".join(data["commune"]["name"].split()),
        province=" ".join(str(data["commune"].get("province", "")).split()),
        station=" ".join(data["commune"].get("station", "").split()),
        month=data["month"],
        campaign=data.get("campaign"),
        sessions_completed=int(totals["sessions_completed"]),
        plays_completed=int(totals["plays_completed"]),
        seconds_on_air=float(totals["seconds_on_air"]),
        sessions_interrupted=int(totals["sessions_interrupted"]),
        sessions_failed=int(totals["sessions_failed"]),
        sessions_missed=int(totals["sessions_missed"]),
        sessions_preempted=int(totals.get("sessions_preempted", 0)),  # not before issue 12
        days=frozenset(d["date"] for d in data["by_day"] if d["plays"] > 0),
        sources=(export.path,),
        by_tier=_added_lines("by_tier", [data.get("by_tier") or []]),
        by_language=_added_lines("by_language", [data.get("by_language") or []]),
        by_form=_added_lines("by_form", [data.get("by_form") or []]),
    )


def _added_lines(
    key: str, groups: Iterable[Iterable[Mapping[str, Any]]], *, every_tier: bool = False
) -> Lines:
    """Lines of one breakdown from several stations, added up line by line. A source is
    the same whatever the spacing or case it was typed with, and is named as most
    stations name it; seconds are rounded as a box rounds them, and the lines ordered as
    a box's report orders them."""
    names, figures = _BREAKDOWNS[key]
    added: dict[tuple[str, ...], dict[str, Any]] = {}
    spellings: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    if every_tier:
        for tier in _TIERS:
            added[(tier,)] = {"tier": tier, **dict.fromkeys(figures, 0)}
    for lines in groups:
        for line in lines:
            ident = tuple(_fold(line[n]) if n == "source" else line[n] for n in names)
            row = added.setdefault(ident, {n: line[n] for n in names})
            for name in figures:
                row[name] = row.get(name, 0) + line.get(name, 0)
            if "source" in names:
                spellings[ident][" ".join(line["source"].split())] += 1
    for ident, counted in spellings.items():
        most = max(counted.values())
        added[ident]["source"] = min(name for name, n in counted.items() if n == most)
    result = [
        {k: round(v, 3) if k.startswith("seconds") else v for k, v in line.items()}
        for line in added.values()
    ]
    if key == "by_tier":
        result.sort(key=lambda x: RANK[x["tier"]])
    elif key == "by_language":
        result.sort(key=lambda x: (-x["plays"], x["language"]))
    else:
        result.sort(key=lambda x: (FORMS.index(x["form"]), _fold(x["source"])))
    return tuple(result)


def _added_up(stations: list[Figures]) -> Figures:
    """A commune's month: its stations' figures added, its days the union of theirs."""
    first = stations[0]
    sums = {name: sum(getattr(s, name) for s in stations) for name in _ADDED}
    return Figures(
        name=first.name,
        province=first.province,
        station=", ".join(s.station for s in stations if s.station),
        month=first.month,
        campaign=first.campaign if len({s.campaign for s in stations}) == 1 else None,
        **sums,
        days=frozenset().union(*(s.days for s in stations)),
        sources=tuple(p for s in stations for p in s.sources),
        stations=len(stations),
        by_tier=_added_lines("by_tier", (s.by_tier for s in stations)),
        by_language=_added_lines("by_language", (s.by_language for s in stations)),
        by_form=_added_lines("by_form", (s.by_form for s in stations)),
    )


def _most_common(values: list[str]) -> str:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else ""


def merge_reports(
    paths: Sequence[Path],
    *,
    allow_mixed_months: bool = False,
    now: datetime | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> MergedReport:
    """Merge month exports (files, or folders searched recursively for ``*.json``).

    One commune's exports give its table (a row per station); several communes' give
    the province's (a row per commune, the stations in detail). Refused: nothing to
    merge, an unreadable or malformed export named explicitly, several months (unless
    *allow_mixed_months*), the same station twice for a month with different content.
    Warned: byte-identical duplicates (counted once), files in folders that are not
    readable JSON, exports with different campaign filters or from different provinces.
    """
    warnings: list[LoaxaError] = []
    exports = _collect(paths, warnings)
    if not exports:
        raise LoaxaError(
            "report.merge_nothing", paths=", ".join(str(p) for p in paths), format=FORMAT
        )
    months = _check_months(exports, allow_mixed_months)
    exports = _drop_duplicates(exports, warnings)
    for export in exports:
        if missing := _older(export.data):
            warnings.append(
                LoaxaError(
                    "report.merge_old_export",
                    station=_station_text(export.data),
                    file=export.path,
                    missing=", ".join(missing),
                )
            )
    level = COMMUNE if len({e.commune_key for e in exports}) == 1 else PROVINCE
    stations = sorted(
        (_figures(e) for e in exports),
        key=lambda s: (_sort_key(s.name), _sort_key(s.station), s.month, str(s.sources)),
    )
    filters = {s.campaign for s in stations}
    if len(filters) > 1:
        shown = ", ".join(sorted(w.month_subject(f) for f in filters))
        warnings.append(LoaxaError("report.merge_mixed_campaigns", values=shown))
    provinces = {_fold(s.province): s.province for s in stations if s.province}
    if len(provinces) > 1:
        shown = ", ".join(sorted(provinces.values()))
        warnings.append(LoaxaError("report.merge_mixed_provinces", values=shown))
    province = _most_common([s.province for s in stations])
    recipient = _most_common([str(e.data.get("recipient") or "") for e in exports])

    if level == COMMUNE:
        rows = stations
    else:
        by_commune: dict[tuple[str, str, str], list[Figures]] = defaultdict(list)
        for station in stations:
            by_commune[(_fold(station.name), _fold(station.province), station.month)].append(
                station
            )
        rows = [_added_up(group) for group in by_commune.values()]  # stations' order kept
    zone = ZoneInfo(timezone)
    moment = (now or datetime.now(zone)).astimezone(zone)
    by_form = _added_lines("by_form", (s.by_form for s in stations))
    return MergedReport(
        level=level,
        months=months,
        commune=stations[0].name if level == COMMUNE else "",
        province=province,
        recipient=recipient or w.default_recipient(province),
        campaign=next(iter(filters)) if len(filters) == 1 else None,
        rows=rows,
        stations=stations,
        totals={**_totals(level, stations), **_form_totals(by_form)},
        generated_at=moment.isoformat(timespec="seconds"),
        timezone=timezone,
        warnings=warnings,
        by_tier=_added_lines("by_tier", (s.by_tier for s in stations), every_tier=True),
        by_language=_added_lines("by_language", (s.by_language for s in stations)),
        by_form=by_form,
    )


def _totals(level: str, stations: list[Figures]) -> dict[str, Any]:
    """Sums over every station. Days with a broadcast are a commune's: the union of its
    stations' days in a commune's table, not added up across communes in a province's."""
    everything = _added_up(stations)
    communes: defaultdict[tuple[str, str], int] = defaultdict(int)
    for station in stations:
        communes[(_fold(station.name), _fold(station.province))] += station.plays_completed
    return {
        "communes": len(communes),
        "stations": len(stations),
        "communes_with_broadcast": sum(1 for plays in communes.values() if plays),
        **{name: getattr(everything, name) for name in _ADDED},
        "seconds_on_air": round(everything.seconds_on_air, 3),
        "minutes_on_air": everything.minutes_on_air,
        "days_with_broadcast": everything.days_with_broadcast if level == COMMUNE else None,
    }


# -- the merged tables, shared by the XLSX, CSV and DOCX writers -------------------------
MERGED_HEADERS = [
    "STT",
    "Xã/phường",
    w.STATION,
    "Tỉnh/thành phố",
    "Tháng",
    "Nội dung",
    "Số buổi phát",
    "Số lượt phát",
    "Thời lượng (phút)",
    "Thời lượng (giây)",
    "Số ngày có phát",
    "Buổi gián đoạn",
    "Buổi lỗi",
    "Buổi bỏ lỡ",
    "Tệp nguồn",
]
TOTALS_LABEL = "Tổng cộng"


def merged_rows(figures: list[Figures]) -> list[list[Any]]:
    return [
        [
            index,
            f.name,
            f.station,
            f.province,
            f.month,
            w.month_subject(f.campaign),
            f.sessions_completed,
            f.plays_completed,
            f.minutes_on_air,
            f.seconds_on_air,
            f.days_with_broadcast,
            f.sessions_interrupted,
            f.sessions_failed,
            f.sessions_missed,
            "; ".join(p.name for p in f.sources),
        ]
        for index, f in enumerate(figures, start=1)
    ]


def count_words(report: MergedReport) -> str:
    """ "2 trạm" (a commune's table) or "3 xã, 4 trạm" (a province's)."""
    stations = f"{report.totals['stations']} trạm"
    return stations if report.level == COMMUNE else f"{report.totals['communes']} xã, {stations}"


def merged_totals_row(report: MergedReport) -> list[Any]:
    t = report.totals
    return [
        None,
        TOTALS_LABEL,
        count_words(report),
        report.province,
        report.month,
        w.month_subject(report.campaign),
        t["sessions_completed"],
        t["plays_completed"],
        t["minutes_on_air"],
        t["seconds_on_air"],
        t["days_with_broadcast"],
        t["sessions_interrupted"],
        t["sessions_failed"],
        t["sessions_missed"],
        None,
    ]


def shown_lines(figures: Figures, key: str) -> Lines:
    """A row's lines worth a line of the table: a tier it did broadcast in (the totals
    list every tier), every language and form it has."""
    lines: Lines = getattr(figures, key)
    if key == "by_tier":
        return tuple(x for x in lines if x["sessions"] or x["plays"])
    return lines


def line_words(key: str, line: dict[str, Any]) -> str:
    """What a line is: "Khẩn cấp", "Tiếng Ê Đê", "Tiếp sóng Đài TNVN – VOV1"."""
    if key == "by_tier":
        return w.TIER[line["tier"]]
    if key == "by_language":
        return w.language_label(line["language"]) or line["language"]
    return w.programme_form(line)


# the sections of a box's report that a merge adds up, under the same titles
BREAKDOWN_SECTIONS = (
    (tables.SECTION_TIERS, "by_tier", "Mức độ"),
    (tables.SECTION_LANGUAGES, "by_language", "Tiếng"),
    (tables.SECTION_FORMS, "by_form", "Hình thức"),
)


def line_headers(key: str, *, spreadsheet: bool) -> list[str]:
    """The figures' columns of a breakdown: the printed table leaves out the seconds
    and the drop-outs, which the spreadsheets keep."""
    headers = ["Số buổi"] if key == "by_tier" else []
    headers += ["Số lượt", "Thời lượng (phút)"]
    headers += ["Thời lượng (giây)"] if spreadsheet else []
    if key == "by_form":
        headers += ["Lượt không trọn vẹn (không tính)"]
        headers += ["Số lần mất sóng"] if spreadsheet else []
    return headers


def line_cells(key: str, line: dict[str, Any], *, spreadsheet: bool) -> list[Any]:
    """What a line is, then its figures in the columns of ``line_headers``."""
    cells = [line_words(key, line), *([line["sessions"]] if key == "by_tier" else [])]
    cells += [line["plays"], w.minutes(line["seconds"])]
    cells += [line["seconds"]] if spreadsheet else []
    if key == "by_form":
        cells += [line["incomplete"]]
        cells += [line["dropouts"]] if spreadsheet else []
    return cells


def breakdown_sections(report: MergedReport, figures: list[Figures]) -> list[tables.Section]:
    """The tier, language and form tables of the XLSX and CSV: the lines of each row of
    *figures* (stations or communes), then the totals' lines."""
    sections = []
    for title, key, category in BREAKDOWN_SECTIONS:
        headers = [*MERGED_HEADERS[:3], category, *line_headers(key, spreadsheet=True)]
        section = tables.Section(title, headers)
        for f in figures:
            for line in shown_lines(f, key):
                cells = line_cells(key, line, spreadsheet=True)
                section.rows.append([len(section.rows) + 1, f.name, f.station, *cells])
        for line in getattr(report, key):
            cells = line_cells(key, line, spreadsheet=True)
            section.rows.append([None, TOTALS_LABEL, count_words(report), *cells])
        sections.append(section)
    return sections


def months_words(report: MergedReport) -> str:
    return ", ".join(w.month_words(m) for m in report.months)


def scope_words(report: MergedReport) -> str:
    return "các trạm của xã" if report.level == COMMUNE else "các xã, phường"


def merged_heading(report: MergedReport) -> str:
    return (
        f"Tổng hợp kết quả tuyên truyền {w.month_subject(report.campaign)} trên hệ thống loa "
        f"truyền thanh {scope_words(report)} {months_words(report)} — {report.place}"
    ).rstrip(" —")


def merged_subtitle(report: MergedReport) -> str:
    where = "xã" if report.level == COMMUNE else "tỉnh"
    return (
        f"{count_words(report)}; số liệu do hộp Loa Xã của từng trạm lập từ nhật ký phát "
        f"(tệp JSON báo cáo tháng), cộng lại tại {where}."
    )
