"""Every sentence an operator reads, Vietnamese first, English on request.

Code raises and logs *keys* with parameters, never finished sentences, so that one
switch (``--lang en`` or ``LOAXA_LANG=en``) changes every message the box prints and
the wording lives in one place a translator can read top to bottom.
Each message says what is wrong and what to do about it.
"""

from __future__ import annotations

import os

LANGUAGES = ("vi", "en")
_env_lang = os.environ.get("LOAXA_LANG", "vi")
_state = {"lang": _env_lang if _env_lang in LANGUAGES else "vi"}


def set_language(lang: str) -> None:
    """Switch the language of every message printed from now on (``vi`` or ``en``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    _state["lang"] = lang


def current_language() -> str:
    return _state["lang"]


# key -> (Vietnamese, English). Parameters use str.format names.
CATALOG: dict[str, tuple[str, str]] = {
    # --- general ---
    "error.prefix": ("LỖI", "ERROR"),
    "warning.prefix": ("CẢNH BÁO", "WARNING"),
    "error.unexpected": (
        "Lỗi không lường trước: {detail}. Hãy chụp lại thông báo này và gửi cho kỹ thuật viên.",
        "Unexpected error: {detail}. Take a photo of this message and send it to the technician.",
    ),
    "file.not_found": (
        "Không tìm thấy tệp '{path}'. Kiểm tra lại tên và đường dẫn tệp.",
        "File '{path}' was not found. Check the file name and path.",
    ),
    "file.unreadable": (
        "Không đọc được tệp '{path}': {detail}.",
        "Cannot read file '{path}': {detail}.",
    ),
    "type.number": ("một số", "a number"),
    "type.string": ("một chuỗi trong ngoặc kép", "a quoted string"),
    "type.table": ("một bảng [..]", "a table [..]"),
    # --- config ---
    "config.toml_syntax": (
        "{file}, dòng {line}: tệp cấu hình viết sai cú pháp TOML ({detail}). Sửa dòng này theo mẫu trong README.",
        "{file}, line {line}: the config file is not valid TOML ({detail}). Fix this line following the README example.",
    ),
    "config.unknown_key": (
        "{file}, dòng {line}: khoá '{key}' không có trong cấu hình. Xoá dòng này hoặc sửa lại tên khoá{hint}.",
        "{file}, line {line}: '{key}' is not a config key. Delete the line or correct the key name{hint}.",
    ),
    "config.did_you_mean": (" (có phải ý bạn là '{name}'?)", " (did you mean '{name}'?)"),
    "config.wrong_type": (
        "{file}, dòng {line}: khoá '{key}' phải là {expected}, không phải {got!r}.",
        "{file}, line {line}: '{key}' must be {expected}, not {got!r}.",
    ),
    "config.bad_value": (
        "{file}, dòng {line}: giá trị của '{key}' không hợp lệ: {detail}.",
        "{file}, line {line}: the value of '{key}' is not valid: {detail}.",
    ),
    "config.missing_key": (
        "{file}, dòng {line}: thiếu khoá bắt buộc '{key}'. Thêm dòng: {example}",
        "{file}, line {line}: required key '{key}' is missing. Add the line: {example}",
    ),
    "config.bad_timezone": (
        "múi giờ '{value}' không tồn tại; dùng \"Asia/Ho_Chi_Minh\"",
        "time zone '{value}' does not exist; use \"Asia/Ho_Chi_Minh\"",
    ),
    "config.not_found": (
        "Không có tệp cấu hình '{path}'. Chạy 'loaxa init' để tạo tệp mẫu.",
        "Config file '{path}' does not exist. Run 'loaxa init' to create one.",
    ),
    "config.pin_used_twice": (
        "chân {pin} được dùng cho cả '{first}' và '{second}'; mỗi rơ-le cần một chân riêng",
        "pin {pin} is used for both '{first}' and '{second}'; each relay needs its own pin",
    ),
    "config.no_zones": (
        "chưa khai báo vùng loa nào trong [relays.zones]; loa không thể phát vào không vùng nào",
        "no loudspeaker zone is declared in [relays.zones]; the amplifier must never play into no zone",
    ),
    # --- clips (import) ---
    # --- schedule ---
    # --- relays ---
    "relays.mock_pins": (
        "Máy này không có chân GPIO thật: dùng chân giả lập (MockFactory) của gpiozero; rơ-le không đóng cắt thiết bị nào.",
        "This machine has no real GPIO: using gpiozero's mock pins (MockFactory); no relay is really switched.",
    ),
    "relays.changed": ("{time}  rơ-le {name:<10} {state}", "{time}  relay {name:<10} {state}"),
    "relays.on": ("BẬT", "ON"),
    "relays.off": ("TẮT", "OFF"),
    "relays.all_off": ("Tất cả rơ-le đã TẮT.", "All relays are OFF."),
    "relays.busy": (
        "Hộp đang được một tiến trình khác điều khiển (có thể là dịch vụ 'loaxa run'). Dừng nó trước: sudo systemctl stop loaxa",
        "Another process controls the relays (probably the 'loaxa run' service). Stop it first: sudo systemctl stop loaxa",
    ),
    # --- player ---
    "player.no_aplay": (
        "Không tìm thấy chương trình 'aplay'. Cài đặt: sudo apt-get install alsa-utils",
        "The 'aplay' program is missing. Install it: sudo apt-get install alsa-utils",
    ),
    # --- session ---
    "session.manual": ("phát tay", "manual"),
    "session.waiting": (
        "Đang có buổi phát khác ({other}); buổi này chờ đến lượt.",
        "Another session is on air ({other}); this one waits for its turn.",
    ),
    "session.started_late": (
        "bắt đầu muộn {seconds} giây vì phải chờ buổi phát '{other}' kết thúc",
        "started {seconds} s late because it waited for session '{other}' to finish",
    ),
    "session.shutting_down": (
        "hộp đang tắt hoặc khởi động lại nên không phát",
        "not played: the box was shutting down",
    ),
    "session.no_zone": (
        "buổi phát không có vùng loa nào; âm ly không bao giờ được phát vào không vùng nào",
        "the session has no zone; the amplifier never plays into no zone",
    ),
    "session.unknown_zone": (
        "vùng loa '{zones}' không có trong cấu hình (các vùng hiện có: {known})",
        "zone '{zones}' is not in the config (configured zones: {known})",
    ),
    "session.clip_missing": (
        "bài '{clip}' không có trong thư viện; hãy nhập bài bằng lệnh loaxa clips import",
        "clip '{clip}' is not in the library; import it with loaxa clips import",
    ),
    "session.empty_playlist": ("danh sách phát trống", "the playlist is empty"),
    "session.stopped": ("buổi phát bị dừng giữa chừng", "the session was stopped"),
    "session.crashed": ("lỗi trong buổi phát: {detail}", "the session failed: {detail}"),
    "session.player_failed": (
        "không phát được bài '{title}': {detail}. Kiểm tra card âm thanh (aplay -L) và dây nối.",
        "could not play '{title}': {detail}. Check the sound card (aplay -L) and its cable.",
    ),
    "session.playing": (
        "  ▶ đang phát '{title}' ({id}, {seconds} giây)",
        "  ▶ playing '{title}' ({id}, {seconds} s)",
    ),
    "session.completed": (
        "  ✔ buổi phát xong: {played} lượt bài",
        "  ✔ session completed: {played} clip plays",
    ),
    "session.interrupted": ("  ■ buổi phát bị dừng: {error}", "  ■ session interrupted: {error}"),
    "session.failed": ("  ✘ buổi phát lỗi: {error}", "  ✘ session failed: {error}"),
    "session.missed": ("  ✘ bỏ lỡ: {error}", "  ✘ missed: {error}"),
    # --- playback log ---
    "log.write_failed": (
        "KHÔNG GHI ĐƯỢC NHẬT KÝ PHÁT ({detail}). Buổi phát vẫn tiếp tục nhưng sẽ thiếu trong báo cáo. Kiểm tra thẻ nhớ (đầy hoặc hỏng).",
        "CANNOT WRITE THE PLAYBACK LOG ({detail}). Broadcasting continues but will be missing from reports. Check the SD card (full or failing).",
    ),
    "log.power_cut": (
        "mất điện hoặc hộp bị tắt đột ngột khi đang phát",
        "power cut or the box was stopped abruptly while playing",
    ),
    "log.recovered": (
        "{count} mục nhật ký đang dở (mất điện lần trước) đã được ghi là 'bị gián đoạn'.",
        "{count} unfinished log entries (previous power cut) are now marked 'interrupted'.",
    ),
    # --- daemon ---
    # --- cli ---
}


def t(key: str, /, **params: object) -> str:
    """Render message *key* in the current language."""
    vi, en = CATALOG[key]
    text = en if _state["lang"] == "en" else vi
    return text.format(**params)


class LoaxaError(Exception):
    """A failure the operator can act on; rendered through the catalogue when printed."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)
