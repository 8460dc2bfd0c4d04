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
    # --- player ---
    # --- session ---
    # --- playback log ---
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
