"""The district office's merge: the communes' JSON exports -> one row per commune.

The district receives exports on USB sticks and by Zalo, often twice, sometimes for the
wrong month. A merged figure that silently counts a commune twice, or mixes August
with September, is worse than no figure, so both are refused with the file names that
cause them. The one forgiving case is the same export received twice (byte for byte):
it is counted once and the operator is told.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware_host.messages import CATALOG, LoaxaError, error_text
from firmware_host.report import wording as w
from firmware_host.report.jsonout import FORMAT

_COUNTED = (
    "sessions_completed",
    "plays_completed",
    "seconds_on_air",
    "days_with_broadcast",
    "sessions_interrupted",
    "sessions_failed",
    "sessions_missed",
)


@dataclass(frozen=True)
class CommuneFigures:
    """One commune's month, as its export states it."""

    name: str
    district: str
    province: str
    month: str
    campaign: str | None
    sessions_completed: int
    plays_completed: int
    seconds_on_air: float
    days_with_broadcast: int
    sessions_interrupted: int
    sessions_failed: int
    sessions_missed: int
    source: Path

    @property
    def minutes_on_air(self) -> float:
        return round(self.seconds_on_air / 60, 1)


@dataclass
class DistrictReport:
    months: list[str]
    district: str
    province: str
    campaign: str | None  # the communes' common filter; None for all campaigns
    communes: list[CommuneFigures]
    totals: dict[str, Any]
    generated_at: str
    timezone: str
    warnings: list[LoaxaError] = field(default_factory=list)

    @property
    def month(self) -> str:
        """ "2024-09", or "2024-08..2024-09" when mixed months were allowed."""
        return self.months[0] if len(self.months) == 1 else f"{self.months[0]}..{self.months[-1]}"


@dataclass(frozen=True)
class _Export:
    path: Path
    digest: str
    data: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str, str]:
        commune = self.data["commune"]
        return (
            _fold(commune.get("name", "")),
            _fold(commune.get("district", "")),
            _fold(commune.get("province", "")),
            self.data["month"],
        )


def _fold(text: str) -> str:
    """Same commune whatever the spacing, case or Unicode form it was typed with."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


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
    return None


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
    groups: dict[tuple[str, str, str, str], list[_Export]] = defaultdict(list)
    for export in exports:
        groups[export.key].append(export)
    conflicts = []
    kept = []
    for group in groups.values():
        first = group[0]
        name = _commune_text(first.data)
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


def _commune_text(data: dict[str, Any]) -> str:
    commune = data["commune"]
    parts = [commune.get("name", ""), commune.get("district", ""), commune.get("province", "")]
    return ", ".join(p for p in parts if p)


def _figures(export: _Export) -> CommuneFigures:
    data, totals = export.data, export.data["totals"]
    return CommuneFigures(
        name=data["commune"].get("name", ""),
        district=data["commune"].get("district", ""),
        province=data["commune"].get("province", ""),
        month=data["month"],
        campaign=data.get("campaign"),
        sessions_completed=int(totals["sessions_completed"]),
        plays_completed=int(totals["plays_completed"]),
        seconds_on_air=float(totals["seconds_on_air"]),
        days_with_broadcast=int(totals["days_with_broadcast"]),
        sessions_interrupted=int(totals["sessions_interrupted"]),
        sessions_failed=int(totals["sessions_failed"]),
        sessions_missed=int(totals["sessions_missed"]),
        source=export.path,
    )


def _common(values: list[str], notice: str, warnings: list[LoaxaError]) -> str:
    counted = Counter(v for v in values if v)
    if len(counted) > 1:
        warnings.append(LoaxaError(notice, values=", ".join(sorted(counted))))
    return counted.most_common(1)[0][0] if counted else ""


def merge_reports(
    paths: Sequence[Path],
    *,
    allow_mixed_months: bool = False,
    now: datetime | None = None,
    timezone: str = "Asia/Ho_Chi_Minh",
) -> DistrictReport:
    """Merge month exports (files, or folders searched recursively for ``*.json``).

    Refused: nothing to merge, an unreadable or malformed export named explicitly,
    several months (unless *allow_mixed_months*), the same commune twice for a month
    with different content. Warned: byte-identical duplicates (counted once), files in
    folders that are not readable JSON, communes with different campaign filters or
    from different districts.
    """
    warnings: list[LoaxaError] = []
    exports = _collect(paths, warnings)
    if not exports:
        raise LoaxaError(
            "report.merge_nothing", paths=", ".join(str(p) for p in paths), format=FORMAT
        )
    months = _check_months(exports, allow_mixed_months)
    exports = _drop_duplicates(exports, warnings)
    communes = sorted(
        (_figures(e) for e in exports), key=lambda c: (_sort_key(c.name), c.month, str(c.source))
    )
    filters = {c.campaign for c in communes}
    if len(filters) > 1:
        shown = ", ".join(sorted(w.month_subject(f) for f in filters))
        warnings.append(LoaxaError("report.merge_mixed_campaigns", values=shown))
    campaign = next(iter(filters)) if len(filters) == 1 else None
    district = _common([c.district for c in communes], "report.merge_mixed_districts", warnings)
    province = _common([c.province for c in communes], "report.merge_mixed_districts", warnings)
    seconds = sum(c.seconds_on_air for c in communes)
    totals = {
        "communes": len(communes),
        "communes_with_broadcast": sum(1 for c in communes if c.plays_completed),
        "sessions_completed": sum(c.sessions_completed for c in communes),
        "plays_completed": sum(c.plays_completed for c in communes),
        "seconds_on_air": round(seconds, 3),
        "minutes_on_air": round(seconds / 60, 1),
        "sessions_interrupted": sum(c.sessions_interrupted for c in communes),
        "sessions_failed": sum(c.sessions_failed for c in communes),
        "sessions_missed": sum(c.sessions_missed for c in communes),
    }
    zone = ZoneInfo(timezone)
    moment = (now or datetime.now(zone)).astimezone(zone)
    return DistrictReport(
        months=months,
        district=district,
        province=province,
        campaign=campaign,
        communes=communes,
        totals=totals,
        generated_at=moment.isoformat(timespec="seconds"),
        timezone=timezone,
        warnings=warnings,
    )


# -- the district table, shared by the XLSX, CSV and DOCX writers ----------------------
DISTRICT_HEADERS = [
    "STT",
    "Xã/phường",
    "Huyện/thành phố",
    "Tỉnh",
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


def district_rows(report: DistrictReport) -> list[list[Any]]:
    return [
        [
            index,
            c.name,
            c.district,
            c.province,
            c.month,
            w.month_subject(c.campaign),
            c.sessions_completed,
            c.plays_completed,
            c.minutes_on_air,
            c.seconds_on_air,
            c.days_with_broadcast,
            c.sessions_interrupted,
            c.sessions_failed,
            c.sessions_missed,
            c.source.name,
        ]
        for index, c in enumerate(report.communes, start=1)
    ]


def district_totals_row(report: DistrictReport) -> list[Any]:
    """Sums; days with a broadcast are per commune and are not added up."""
    t = report.totals
    return [
        None,
        f"{TOTALS_LABEL} ({t['communes']} xã)",
        report.district,
        report.province,
        report.month,
        w.month_subject(report.campaign),
        t["sessions_completed"],
        t["plays_completed"],
        t["minutes_on_air"],
        t["seconds_on_air"],
        None,
        t["sessions_interrupted"],
        t["sessions_failed"],
        t["sessions_missed"],
        None,
    ]


def district_months_words(report: DistrictReport) -> str:
    return ", ".join(w.month_words(m) for m in report.months)


def district_heading(report: DistrictReport) -> str:
    return (
        f"Tổng hợp kết quả tuyên truyền {w.month_subject(report.campaign)} trên hệ thống loa "
        f"truyền thanh các xã {district_months_words(report)} — {report.district}"
    ).rstrip(" —")


def district_subtitle(report: DistrictReport) -> str:
    return (
        f"{report.totals['communes']} xã; số liệu do từng xã lập từ nhật ký phát Loa Xã "
        f"(tệp JSON báo cáo tháng), cộng lại tại huyện."
    )
