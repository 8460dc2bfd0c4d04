"""Read ``loaxa.toml`` into a frozen, checked configuration.

The embedded ``defaults/loaxa.toml`` is both the default configuration and the
schema: a key the operator writes must exist there and have the same type, so the
documentation an installer reads and the checks the box applies cannot drift apart.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from firmware_host.messages import LoaxaError, error_text, t
from firmware_host.tomlpos import decode_utf8, deepest_line, map_lines, syntax_error_line

CONFIG_NAME = "loaxa.toml"
REQUIRED_IN_FILE = (("commune", "name"), ("commune", "province"))
# Keys the box once had: still accepted (an old file keeps working), ignored, and noted.
RETIRED_KEYS = {("commune", "district"): "config.district_retired"}  # no districts since 7/2025
FREE_TABLES = (("relays", "zones"),)  # tables whose keys are names the operator chooses
PIN_FACTORIES = ("auto", "mock", "lgpio", "rpigpio", "pigpio", "native")
RELAY_BACKENDS = ("gpio", "lcus", "modbus")
# Serial backends: the highest channel. LCUS boards have at most 16 relays, which also
# catches GPIO pin numbers (17, 22, 23, 27) left in place after switching backend.
RELAY_CHANNELS = {"lcus": 16, "modbus": 0x10000}
# Text-to-speech: engines, the reading-speed range (1.0 = the engine's normal pace) and
# the shape of an espeak-ng voice name ("vi", "vi-vn-x-south", "vi+f3"); whether the
# voice exists is asked of espeak-ng when a text is read, not here.
TTS_ENGINES = ("auto", "espeak-ng", "piper")
TTS_SPEED_RANGE = (0.6, 1.8)
TTS_VOICE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)*(?:\+[A-Za-z0-9_-]+)?")
TTS_ABBREVIATIONS = ("tts", "abbreviations")  # a table of words the commune chooses
# The province link: a commune code or a station id is one level of an MQTT topic and half
# of the box's broker account ("19543/tram-1"), as hardware/province/make-credentials.sh
# makes it.
LINK_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
MAX_PROVINCE_KEYS = 8
ABBREVIATION_MAX_KEY = 40
ABBREVIATION_MAX_VALUE = 200


def default_text() -> str:
    return resources.files("firmware_host").joinpath("defaults", CONFIG_NAME).read_text("utf-8")


@dataclass(frozen=True)
class Commune:
    """Who the box reports for. ``station`` names this box when the commune runs several
    (one per former commune's system since the 2025 mergers); "" when it has one."""

    name: str
    province: str
    station: str


@dataclass(frozen=True)
class ReportSettings:
    recipient: str  # "" = the province's Sở Văn hóa, Thể thao và Du lịch (report.wording)


@dataclass(frozen=True)
class PolicySettings:
    """Local rules on top of the tiers (all off by default; see docs/schedules.md).

    ``quiet_hours`` are (start, end) wall-clock pairs, an end before its start running
    past midnight; 0 minutes/sessions mean no cap. Emergencies ignore all of them.
    """

    quiet_hours: tuple[tuple[time, time], ...]
    max_session_minutes: float
    max_sessions_per_day: int
    weekdays_only: bool
    require_approval: bool
    emergency_warmup_seconds: float  # the amplifier's warm-up before an emergency


@dataclass(frozen=True)
class ClockSettings:
    broadcast_when_untrusted: bool
    catch_up_minutes: float


@dataclass(frozen=True)
class AudioSettings:
    device: str
    target_lufs: float
    true_peak_db: float
    max_clip_minutes: float
    min_clip_seconds: float


@dataclass(frozen=True)
class AmplifierSettings:
    warmup_seconds: float
    tail_seconds: float


@dataclass(frozen=True)
class RelaySettings:
    """How the relays are driven. ``amplifier`` and ``zones`` are one map whatever the
    backend: GPIO pins for ``gpio``, 1-based channel numbers for ``lcus``/``modbus``.
    ``port`` … ``timeout_seconds`` only matter to the serial backends; the sense pins
    (None: not wired) are GPIO inputs with any backend."""

    backend: str
    pin_factory: str
    active_high: bool
    amplifier: int | str
    zones: Mapping[str, int | str]
    port: str = "/dev/ttyUSB0"
    baud: int = 9600
    modbus_address: int = 1
    readback: bool = False
    timeout_seconds: float = 0.5
    amplifier_sense_pin: int | str | None = None
    line_sense_pin: int | str | None = None
    sense_active_high: bool = False


@dataclass(frozen=True)
class SchedulerSettings:
    schedules_dir: Path
    misfire_grace_seconds: int
    reload_seconds: float


@dataclass(frozen=True)
class UsbSettings:
    """Where on a USB stick reports go and imports come from, and how "done" is shown.

    Folders are relative to the stick's root, "/"-separated, checked to stay on the
    stick and to be valid FAT/exFAT names. ``monitor_device`` is a local monitor
    output only: it is refused when it could be the village loudspeakers.
    """

    export_folder: str
    import_folder: str
    status_led_pin: int | str | None  # None: no LED
    monitor_device: str | None  # None: no confirmation sound


@dataclass(frozen=True)
class PanelSettings:
    """The optional front panel: a status light and three buttons (None = not wired)."""

    status_led_pin: int | str | None
    stop_button_pin: int | str | None
    emergency_button_pin: int | str | None
    export_button_pin: int | str | None
    emergency_clip: str | None
    talk_button_pin: int | str | None = None  # push-to-talk: held = the microphone on air


@dataclass(frozen=True)
class TtsSettings:
    """``[tts]``: how ``loaxa clips say`` reads a text. ``piper_model`` is None when not
    set (espeak-ng only); a set one may still be missing or broken on the day, which is
    found out (and espeak-ng used instead) when a text is read, not at start-up."""

    engine: str
    voice: str
    speed: float
    piper_model: Path | None
    piper_attribution: str
    abbreviations: Mapping[str, str]


@dataclass(frozen=True)
class BrokerSettings:
    """Where an MQTT client of the province link connects; ``host`` "" = not configured."""

    host: str
    port: int
    tls: bool
    ca_file: Path
    password_file: Path


@dataclass(frozen=True)
class LinkSettings:
    """``[link]``: this box on the province broker (``loaxa link``)."""

    broker: BrokerSettings
    commune_code: str
    station_id: str
    province_keys: tuple[str, ...]  # base64 Ed25519 public keys bulletins must be signed by
    status_seconds: float

    @property
    def enabled(self) -> bool:
        return bool(self.broker.host)


@dataclass(frozen=True)
class ProvinceSettings:
    """``[province]``: the province's own machine (``loaxa province …``), never a box."""

    broker: BrokerSettings
    private_key_file: Path
    store: Path
    issuer: str


@dataclass(frozen=True)
class WebSettings:
    """``[web]``: where ``loaxa web`` listens and how it treats its visitors. The TLS
    files (None: plain http) are absolute; whether they exist and match is found out
    when the panel starts, where the message can name the file."""

    host: str
    port: int
    tls_cert: Path | None
    tls_key: Path | None
    session_minutes: int
    max_upload_mb: int

    @property
    def tls(self) -> bool:
        return self.tls_cert is not None

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


@dataclass(frozen=True)
class RebroadcastSettings:
    """``[relay]``: relaying (tiếp sóng) a station from a stream or the line input.
    Not ``[relays]``, the relay boards: the table is named as the operator says it."""

    retry_seconds: float
    silence_seconds: float
    silence_db: float
    min_fraction: float


@dataclass(frozen=True)
class LiveSettings:
    """``[live]``: the microphone (``loaxa live``, the push-to-talk button)."""

    device: str
    max_minutes: float


@dataclass(frozen=True)
class Config:
    data_dir: Path
    source: Path | None  # None: embedded defaults only
    commune: Commune
    timezone: ZoneInfo
    clock: ClockSettings
    audio: AudioSettings
    amplifier: AmplifierSettings
    relays: RelaySettings
    scheduler: SchedulerSettings
    usb: UsbSettings
    panel: PanelSettings
    tts: TtsSettings
    report: ReportSettings
    link: LinkSettings
    province: ProvinceSettings
    policy: PolicySettings
    web: WebSettings
    rebroadcast: RebroadcastSettings
    live: LiveSettings
    notes: tuple[LoaxaError, ...] = ()  # accepted but worth saying (a retired key)

    @property
    def clips_dir(self) -> Path:
        return self.data_dir / "clips"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"


def default_data_dir() -> Path:
    """``$LOAXA_HOME``, else ``/var/lib/loaxa`` on an installed box, else a per-user folder."""
    if env := os.environ.get("LOAXA_HOME"):
        return Path(env)
    system = Path("/var/lib/loaxa")
    if system.is_dir() and os.access(system, os.W_OK):
        return system
    return Path.home() / ".local" / "share" / "loaxa"


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return t("type.number")
    if isinstance(value, str):
        return t("type.string")
    if isinstance(value, list):
        return t("type.list")
    return t("type.table")


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    if isinstance(default, int):
        return isinstance(value, int)
    return type(default) is type(value)


class _Checker:
    """Walks the operator's document against the defaults, collecting every problem."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = map_lines(text)
        self.problems: list[LoaxaError] = []
        self.notes: list[LoaxaError] = []

    def error(self, message_key: str, path: tuple, /, **params: Any) -> None:
        self.problems.append(
            LoaxaError(message_key, file=self.file, line=self.lines.line_of(path), **params)
        )

    def walk(self, defaults: Mapping[str, Any], given: Mapping[str, Any], path: tuple) -> None:
        for name, value in given.items():
            here = (*path, name)
            if name not in defaults:
                close = difflib.get_close_matches(name, list(defaults), n=1)
                hint = t("config.did_you_mean", name=close[0]) if close else ""
                self.error("config.unknown_key", here, key=".".join(here), hint=hint)
                continue
            default = defaults[name]
            if isinstance(default, dict):
                if not isinstance(value, dict):
                    self.error(
                        "config.wrong_type",
                        here,
                        key=".".join(here),
                        expected=_type_name(default),
                        got=value,
                    )
                elif here in FREE_TABLES:
                    self.check_pins(value, here)
                elif here == TTS_ABBREVIATIONS:
                    self.check_abbreviations(value, here)
                else:
                    self.walk(default, value, here)
            elif name == "amplifier" and path == ("relays",):
                self.check_pins({name: value}, path)
            elif not _same_kind(default, value):
                self.error(
                    "config.wrong_type",
                    here,
                    key=".".join(here),
                    expected=_type_name(default),
                    got=value,
                )

    def check_pins(self, table: Mapping[str, Any], path: tuple) -> None:
        for name, pin in table.items():
            if isinstance(pin, bool) or not isinstance(pin, int | str):
                self.error(
                    "config.wrong_type",
                    (*path, name),
                    key=".".join((*path, name)),
                    expected='GPIO (17, "GPIO17", "BOARD11")',
                    got=pin,
                )

    def check_abbreviations(self, table: Mapping[str, Any], path: tuple) -> None:
        """Each entry "written form" = "spoken form": short, printable, with a letter."""
        for written, spoken in table.items():
            here = (*path, written)
            if not isinstance(spoken, str):
                self.error(
                    "config.wrong_type",
                    here,
                    key=".".join(here),
                    expected=_type_name(""),
                    got=spoken,
                )
                continue
            if not _fair_text(written, ABBREVIATION_MAX_KEY) or not _fair_text(
                spoken, ABBREVIATION_MAX_VALUE
            ):
                self.error(
                    "config.bad_value",
                    here,
                    key=".".join(here),
                    detail=t(
                        "tts.bad_abbreviation",
                        written=written,
                        key_max=ABBREVIATION_MAX_KEY,
                        value_max=ABBREVIATION_MAX_VALUE,
                    ),
                )


def _fair_text(text: str, limit: int) -> bool:
    """Non-empty, no outer spaces, no control characters, has a letter, not too long."""
    return (
        0 < len(text) <= limit
        and text == text.strip()
        and text.isprintable()
        and any(c.isalpha() for c in text)
    )


def _merge(defaults: dict[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(defaults)
    for name, value in given.items():
        if isinstance(value, dict) and isinstance(defaults.get(name), dict) and (name != "zones"):
            merged[name] = _merge(defaults[name], value)
        else:
            merged[name] = value
    return merged


SENSE_KEYS = ("amplifier_sense_pin", "line_sense_pin")


def _pin_or_none(value: str) -> int | str | None:
    """An optional GPIO pin, written as a string: "" = not wired, "5" = BCM 5, "GPIO5"."""
    value = value.strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


def _relay_settings(relays: Mapping[str, Any], bad: Any) -> tuple[RelaySettings, dict[str, str]]:
    """Check ``[relays]``; return the settings and the GPIO pins they take (pin → user),
    so that no other GPIO user (the status LED) is given one of them.

    ``amplifier`` and the zones are one map for every backend: GPIO pins for ``gpio``,
    1-based channel numbers for the serial boards, where they must be whole numbers in
    the board's range and take no GPIO pin."""
    backend = relays["backend"]
    if relays["pin_factory"] not in PIN_FACTORIES:
        bad(("relays", "pin_factory"), " | ".join(PIN_FACTORIES))
    if backend not in RELAY_BACKENDS:
        bad(("relays", "backend"), " | ".join(RELAY_BACKENDS))
    if not relays["zones"]:
        bad(("relays", "zones"), t("config.no_zones"))
    highest = RELAY_CHANNELS.get(backend)  # None: GPIO pins
    targets: list[tuple[tuple[str, ...], str, Any]] = [
        (("relays", "amplifier"), "amplifier", relays["amplifier"])
    ]
    targets += [(("relays", "zones", name), name, pin) for name, pin in relays["zones"].items()]
    used: dict[str, str] = {}
    for path, name, target in targets:
        if highest is not None and (
            isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= highest
        ):
            bad(path, t("relays.bad_channel", backend=backend, highest=highest, value=target))
        if str(target) in used:
            bad(path, t("config.pin_used_twice", pin=target, first=used[str(target)], second=name))
        used[str(target)] = name

    owner = dict(used) if highest is None else {}
    sense = {key: _pin_or_none(relays[key]) for key in SENSE_KEYS}
    for key, pin in sense.items():
        if pin is None:
            continue
        if str(pin) in owner:
            bad(
                ("relays", key),
                t("config.pin_used_twice", pin=pin, first=owner[str(pin)], second=f"relays.{key}"),
            )
        owner[str(pin)] = f"relays.{key}"
    if highest is not None and not relays["port"].strip():
        bad(("relays", "port"), t("relays.need_port"))
    for key, low, high in (
        ("baud", 300, 921600),
        ("modbus_address", 1, 247),
        ("timeout_seconds", 0.05, 10),
    ):
        if not low <= relays[key] <= high:
            bad(("relays", key), f"{relays[key]} ∉ [{low}, {high}]")

    settings = RelaySettings(
        backend=backend,
        pin_factory=relays["pin_factory"],
        active_high=relays["active_high"],
        amplifier=relays["amplifier"],
        zones=MappingProxyType(dict(relays["zones"])),
        port=relays["port"].strip(),
        baud=relays["baud"],
        modbus_address=relays["modbus_address"],
        readback=relays["readback"],
        timeout_seconds=float(relays["timeout_seconds"]),
        amplifier_sense_pin=sense["amplifier_sense_pin"],
        line_sense_pin=sense["line_sense_pin"],
        sense_active_high=relays["sense_active_high"],
    )
    return settings, owner


def _build(
    doc: Mapping[str, Any], data_dir: Path, source: Path | None, checker: _Checker
) -> Config:
    def bad(path: tuple, detail: str) -> None:
        checker.error("config.bad_value", path, key=".".join(path), detail=detail)

    try:
        zone = ZoneInfo(doc["clock"]["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        bad(("clock", "timezone"), t("config.bad_timezone", value=doc["clock"]["timezone"]))
        zone = ZoneInfo("Asia/Ho_Chi_Minh")

    audio, amp, relays, sched = doc["audio"], doc["amplifier"], doc["relays"], doc["scheduler"]
    ranges = [
        (("audio", "target_lufs"), audio["target_lufs"], -31, -5),
        (("audio", "true_peak_db"), audio["true_peak_db"], -9, 0),
        (("audio", "max_clip_minutes"), audio["max_clip_minutes"], 0.1, 24 * 60),
        (("audio", "min_clip_seconds"), audio["min_clip_seconds"], 0, 60),
        (("amplifier", "warmup_seconds"), amp["warmup_seconds"], 0, 60),
        (("clock", "catch_up_minutes"), doc["clock"]["catch_up_minutes"], 0, 24 * 60),
        (("amplifier", "tail_seconds"), amp["tail_seconds"], 0, 30),
        (("scheduler", "misfire_grace_seconds"), sched["misfire_grace_seconds"], 1, 3600),
        (("scheduler", "reload_seconds"), sched["reload_seconds"], 0.5, 3600),
        (("relay", "retry_seconds"), doc["relay"]["retry_seconds"], 0, 3600),
        (("relay", "silence_seconds"), doc["relay"]["silence_seconds"], 1, 3600),
        (("relay", "silence_db"), doc["relay"]["silence_db"], -90, -10),
        (("relay", "min_fraction"), doc["relay"]["min_fraction"], 0, 1),
        (("live", "max_minutes"), doc["live"]["max_minutes"], 0.05, 12 * 60),
    ]
    for path, value, low, high in ranges:
        if isinstance(value, int | float) and not low <= value <= high:
            bad(path, f"{value} ∉ [{low}, {high}]")
    relay_settings, owner = _relay_settings(relays, bad)

    usb = _usb_settings(doc, owner, bad)
    panel = _panel_settings(doc, owner, bad)
    tts = _tts_settings(doc, data_dir, bad)
    link = _link_settings(doc, data_dir, bad)
    province = _province_settings(doc, data_dir, bad)
    policy = _policy_settings(doc, bad)
    web = _web_settings(doc, data_dir, bad)

    if checker.problems:
        raise ConfigError(checker.problems)

    schedules_dir = Path(sched["schedules_dir"])
    if not schedules_dir.is_absolute():
        schedules_dir = data_dir / schedules_dir
    commune = {key: " ".join(value.split()) for key, value in doc["commune"].items()}
    return Config(
        data_dir=data_dir,
        source=source,
        commune=Commune(**commune),
        timezone=zone,
        clock=ClockSettings(
            broadcast_when_untrusted=doc["clock"]["broadcast_when_untrusted"],
            catch_up_minutes=float(doc["clock"]["catch_up_minutes"]),
        ),
        audio=AudioSettings(
            **{k: float(v) for k, v in audio.items() if k != "device"}, device=audio["device"]
        ),
        amplifier=AmplifierSettings(**{k: float(v) for k, v in amp.items()}),
        relays=relay_settings,
        scheduler=SchedulerSettings(
            schedules_dir=schedules_dir,
            misfire_grace_seconds=int(sched["misfire_grace_seconds"]),
            reload_seconds=float(sched["reload_seconds"]),
        ),
        usb=usb,
        panel=panel,
        tts=tts,
        report=ReportSettings(recipient=" ".join(doc["report"]["recipient"].split())),
        link=link,
        province=province,
        policy=policy,
        web=web,
        rebroadcast=RebroadcastSettings(**{k: float(v) for k, v in doc["relay"].items()}),
        live=LiveSettings(
            device=doc["live"]["device"].strip() or "default",
            max_minutes=float(doc["live"]["max_minutes"]),
        ),
        notes=tuple(checker.notes),
    )


_FAT_FORBIDDEN = set('\\:*?"<>|')


def _usb_settings(doc: Mapping[str, Any], owner: dict[str, str], bad: Any) -> UsbSettings:
    """Check ``[usb]``: folders stay on the stick, the LED has its own pin, and the
    confirmation sound can never go to the broadcast output."""
    usb = doc["usb"]
    for key in ("export_folder", "import_folder"):
        parts = usb[key].split("/")
        if (
            not usb[key].strip()
            or usb[key].startswith("/")
            or any(part in ("", ".", "..") or part != part.rstrip(". ") for part in parts)
            or any(ch in _FAT_FORBIDDEN or ord(ch) < 32 for ch in usb[key])
        ):
            bad(("usb", key), t("usb.bad_folder", value=usb[key]))
    pin = claim_optional_pin(usb["status_led_pin"], ("usb", "status_led_pin"), owner, bad)
    monitor = usb["monitor_device"].strip() or None
    if monitor is not None and monitor in (doc["audio"]["device"], "default", "sysdefault"):
        bad(("usb", "monitor_device"), t("usb.monitor_is_broadcast", value=monitor))
    return UsbSettings(
        export_folder=usb["export_folder"],
        import_folder=usb["import_folder"],
        status_led_pin=pin,
        monitor_device=monitor,
    )


def claim_optional_pin(
    text: str, path: tuple[str, str], owner: dict[str, str], bad: Any
) -> int | str | None:
    """An optional GPIO pin ("" = not wired): refused if a relay or another input has it.

    Pins may be written 17, "17" or "GPIO17", so they are compared as bare BCM numbers.
    """
    pin: int | str | None = text.strip() or None
    if isinstance(pin, str) and pin.isdigit():
        pin = int(pin)
    if pin is None:
        return None

    def bare(value: object) -> str:
        return str(value).upper().removeprefix("GPIO").removeprefix("BCM")

    taken = {bare(p): name for p, name in owner.items()}
    if bare(pin) in taken:
        bad(
            path, t("config.pin_used_twice", pin=pin, first=taken[bare(pin)], second=".".join(path))
        )
    else:
        owner[str(pin)] = ".".join(path)
    return pin


def _panel_settings(doc: Mapping[str, Any], owner: dict[str, str], bad: Any) -> PanelSettings:
    panel = doc["panel"]
    pins = {
        key: claim_optional_pin(panel[key], ("panel", key), owner, bad)
        for key in (
            "status_led_pin",
            "stop_button_pin",
            "emergency_button_pin",
            "export_button_pin",
            "talk_button_pin",
        )
    }
    return PanelSettings(**pins, emergency_clip=panel["emergency_clip"].strip() or None)


_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def _policy_settings(doc: Mapping[str, Any], bad: Any) -> PolicySettings:
    policy = doc["policy"]
    quiet: list[tuple[time, time]] = []
    ranges = policy["quiet_hours"] if isinstance(policy["quiet_hours"], list) else []
    for text in ranges:
        match = _QUIET.match(text) if isinstance(text, str) else None
        hours = [int(part) for part in match.groups()] if match else []
        if len(hours) != 4 or hours[0] > 23 or hours[2] > 23 or hours[1] > 59 or hours[3] > 59:
            bad(("policy", "quiet_hours"), t("config.bad_quiet_hours", value=text))
            continue
        start, end = time(hours[0], hours[1]), time(hours[2], hours[3])
        if start == end:
            bad(("policy", "quiet_hours"), t("config.bad_quiet_hours", value=text))
            continue
        quiet.append((start, end))
    for key in ("max_session_minutes", "max_sessions_per_day"):
        if policy[key] < 0:
            bad(("policy", key), t("config.not_negative"))
    warmup = float(policy["emergency_warmup_seconds"])
    if warmup < 0:
        warmup = float(doc["amplifier"]["warmup_seconds"])
    return PolicySettings(
        quiet_hours=tuple(quiet),
        max_session_minutes=float(policy["max_session_minutes"]),
        max_sessions_per_day=int(policy["max_sessions_per_day"]),
        weekdays_only=bool(policy["weekdays_only"]),
        require_approval=bool(policy["require_approval"]),
        emergency_warmup_seconds=warmup,
    )


def _tts_settings(doc: Mapping[str, Any], data_dir: Path, bad: Any) -> TtsSettings:
    """Check ``[tts]``. The voice file's presence is not required here (see TtsSettings)."""
    tts = doc["tts"]
    if tts["engine"] not in TTS_ENGINES:
        bad(("tts", "engine"), " | ".join(TTS_ENGINES))
    low, high = TTS_SPEED_RANGE
    if not low <= tts["speed"] <= high:
        bad(("tts", "speed"), f"{tts['speed']} ∉ [{low}, {high}]")
    if not TTS_VOICE.fullmatch(tts["voice"]):
        bad(("tts", "voice"), t("tts.bad_voice_name", voice=tts["voice"]))
    model: Path | None = Path(tts["piper_model"].strip()) if tts["piper_model"].strip() else None
    if model is not None and not model.is_absolute():
        model = data_dir / model
    if tts["engine"] == "piper" and model is None:
        bad(("tts", "engine"), t("tts.piper_needs_model"))
    return TtsSettings(
        engine=tts["engine"],
        voice=tts["voice"],
        speed=float(tts["speed"]),
        piper_model=model,
        piper_attribution=tts["piper_attribution"].strip(),
        abbreviations=MappingProxyType(dict(tts["abbreviations"])),
    )


def _path(data_dir: Path, text: str) -> Path:
    path = Path(text.strip())
    return path if path.is_absolute() else data_dir / path


def _broker_settings(
    table: Mapping[str, Any], section: str, data_dir: Path, bad: Any
) -> BrokerSettings:
    host = table["broker"].strip()
    if any(ch.isspace() or ch in "/@" for ch in host):  # a name or an address, no URL
        bad((section, "broker"), t("link.bad_broker", value=table["broker"]))
    if not 1 <= table["port"] <= 65535:
        bad((section, "port"), f"{table['port']} ∉ [1, 65535]")
    if host and table["tls"] and not table["ca_file"].strip():
        bad((section, "ca_file"), t("link.needs_ca"))
    if host and not table["password_file"].strip():
        bad((section, "password_file"), t("link.needs_password"))
    return BrokerSettings(
        host=host,
        port=int(table["port"]),
        tls=table["tls"],
        ca_file=_path(data_dir, table["ca_file"]),
        password_file=_path(data_dir, table["password_file"]),
    )


def _public_key_ok(text: str) -> bool:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return False
    return len(raw) == 32 and base64.b64encode(raw).decode("ascii") == text


def _link_settings(doc: Mapping[str, Any], data_dir: Path, bad: Any) -> LinkSettings:
    """Check ``[link]``: names that fit a topic level and the broker's account, and keys
    that are Ed25519 public keys. The files named (CA, password) are read when the link
    starts, where a missing one is said; every other command works without them."""
    link = doc["link"]
    broker = _broker_settings(link, "link", data_dir, bad)
    for key in ("commune_code", "station_id"):
        value = link[key].strip()
        if value and (not LINK_NAME.fullmatch(value) or value == "broadcast"):
            bad(("link", key), t("link.bad_name", value=link[key]))
        elif broker.host and not value:
            bad(("link", key), t("link.needs_name"))
    keys = link["province_keys"]
    if not all(isinstance(k, str) and _public_key_ok(k.strip()) for k in keys):
        bad(("link", "province_keys"), t("bulletin.bad_public_key"))
    elif len(keys) > MAX_PROVINCE_KEYS:
        bad(("link", "province_keys"), f"{len(keys)} > {MAX_PROVINCE_KEYS}")
    elif broker.host and not keys:
        bad(("link", "province_keys"), t("link.needs_keys"))
    if not 10 <= link["status_seconds"] <= 3600:
        bad(("link", "status_seconds"), f"{link['status_seconds']} ∉ [10, 3600]")
    return LinkSettings(
        broker=broker,
        commune_code=link["commune_code"].strip(),
        station_id=link["station_id"].strip(),
        province_keys=tuple(k.strip() for k in keys if isinstance(k, str)),
        status_seconds=float(link["status_seconds"]),
    )


def _province_settings(doc: Mapping[str, Any], data_dir: Path, bad: Any) -> ProvinceSettings:
    province = doc["province"]
    return ProvinceSettings(
        broker=_broker_settings(province, "province", data_dir, bad),
        private_key_file=_path(data_dir, province["private_key_file"]),
        store=_path(data_dir, province["store"] or "province"),
        issuer=" ".join(province["issuer"].split()),
    )


WEB_RANGES = {"port": (1, 65535), "session_minutes": (1, 24 * 60), "max_upload_mb": (1, 4096)}


def _web_settings(doc: Mapping[str, Any], data_dir: Path, bad: Any) -> WebSettings:
    """Check ``[web]``: an IP address to listen on, ports and limits in range, and the
    TLS certificate and key given together or not at all."""
    web = doc["web"]
    host = web["host"].strip()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        bad(("web", "host"), t("web.config.bad_host", value=web["host"]))
    for key, (low, high) in WEB_RANGES.items():
        if not low <= web[key] <= high:
            bad(("web", key), f"{web[key]} ∉ [{low}, {high}]")
    files: dict[str, Path | None] = {}
    for key in ("tls_cert", "tls_key"):
        name = web[key].strip()
        files[key] = (data_dir / name) if name else None  # an absolute name stays as it is
    if (files["tls_cert"] is None) != (files["tls_key"] is None):
        given = "tls_cert" if files["tls_key"] is None else "tls_key"  # the line to show
        bad(("web", given), t("web.config.tls_pair"))
    return WebSettings(
        host=host,
        port=web["port"],
        tls_cert=files["tls_cert"],
        tls_key=files["tls_key"],
        session_minutes=web["session_minutes"],
        max_upload_mb=web["max_upload_mb"],
    )


class ConfigError(LoaxaError):
    """All problems of one config file at once, so the installer fixes them in one go."""

    def __init__(self, problems: list[LoaxaError]) -> None:
        super().__init__(problems[0].key, **problems[0].params)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def _read_config_text(path: Path) -> str:
    """UTF-8, with or without the BOM Windows Notepad writes; anything else is named."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoaxaError("file.unreadable", path=path, detail=error_text(exc)) from None
    text = decode_utf8(raw)
    if isinstance(text, int):
        raise ConfigError([LoaxaError("config.not_utf8", file=str(path), line=text)])
    return text


def _without_retired(given: dict[str, Any], checker: _Checker) -> dict[str, Any]:
    """*given* without the retired keys, each noted with its line."""
    for (section, key), message_key in RETIRED_KEYS.items():
        table = given.get(section)
        if isinstance(table, dict) and key in table:
            line = checker.lines.line_of((section, key))
            checker.notes.append(LoaxaError(message_key, file=checker.file, line=line))
            given = {**given, section: {k: v for k, v in table.items() if k != key}}
    return given


def load_config(data_dir: Path | None = None, path: Path | None = None) -> Config:
    """Load *path* (or ``<data_dir>/loaxa.toml`` if it exists, else the embedded defaults).

    An explicitly named file that does not exist is an error; a data dir without a
    config runs on the defaults, which is what the demo and a fresh box do.
    """
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    defaults = tomllib.loads(default_text())
    if path is None:
        candidate = data_dir / CONFIG_NAME
        path = candidate if candidate.is_file() else None
    elif not Path(path).is_file():
        raise LoaxaError("config.not_found", path=path)
    if path is None:
        return _build(defaults, data_dir, None, _Checker("<mặc định>", default_text()))

    path = Path(path)
    text = _read_config_text(path)
    try:
        given = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, _detail = syntax_error_line(exc)
        raise ConfigError(
            [LoaxaError("config.toml_syntax", file=str(path), line=line, detail=error_text(exc))]
        ) from None
    except RecursionError:  # tomllib recurses once per bracket
        line = deepest_line(text)
        raise ConfigError([LoaxaError("config.too_deep", file=str(path), line=line)]) from None
    checker = _Checker(str(path), text)
    given = _without_retired(given, checker)
    checker.walk(defaults, given, ())
    for section, key in REQUIRED_IN_FILE:
        if key not in given.get(section, {}):
            checker.error(
                "config.missing_key",
                (section,),
                key=f"{section}.{key}",
                example=f'[{section}] {key} = "..."',
            )
    if checker.problems:
        raise ConfigError(checker.problems)
    return _build(_merge(defaults, given), data_dir, path, checker)
