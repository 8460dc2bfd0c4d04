"""Every sentence an operator reads, Vietnamese first, English on request.

Code raises and logs *keys* with parameters, never finished sentences, so that one
switch (``--lang en`` or ``LOAXA_LANG=en``) changes every message the box prints and
the wording lives in one place a translator can read top to bottom.
Each message says what is wrong and what to do about it.
"""

from __future__ import annotations

import errno
import json
import os
import re
import threading
import tomllib
from dataclasses import dataclass

LANGUAGES = ("vi", "en")
_env_lang = os.environ.get("LOAXA_LANG", "vi")
_state = {"lang": _env_lang if _env_lang in LANGUAGES else "vi"}


def language() -> str:
    """The language messages are printed in now (``vi`` or ``en``): this thread's own if
    it has one (:func:`set_thread_language`), else the process's."""
    return getattr(_thread, "lang", None) or _state["lang"]


def set_language(lang: str) -> None:
    """Switch the language of every message printed from now on (``vi`` or ``en``)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    _state["lang"] = lang


_thread = threading.local()


def set_thread_language(lang: str | None) -> None:
    """Speak *lang* in this thread only (None: the process's language again).

    The web panel answers each request in its reader's language from a pool of threads;
    a process-wide switch would let one reader's English leak into another's page.
    """
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    _thread.lang = lang


# key -> (Vietnamese, English). Parameters use str.format names.
CATALOG: dict[str, tuple[str, str]] = {
    # --- general ---
    "error.prefix": ("LỖI", "ERROR"),
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
    "type.list": ('một danh sách ["..", ".."]', 'a list ["..", ".."]'),
    # --- system errors in the operator's language (error_text) ---
    "syserr.ENOENT": ("không có tệp hoặc thư mục này", "no such file or folder"),
    "syserr.EACCES": ("không có quyền truy cập", "permission denied"),
    "syserr.EPERM": ("thao tác không được phép", "operation not permitted"),
    "syserr.ENOSPC": ("thiết bị đã hết chỗ trống", "no space left on the device"),
    "syserr.EDQUOT": ("đã hết hạn mức dung lượng", "disk quota exceeded"),
    "syserr.EROFS": (
        "thiết bị chỉ cho đọc (bị khoá ghi)",
        "the device is read-only (write-protected)",
    ),
    "syserr.EIO": (
        "lỗi đọc/ghi thiết bị (USB hoặc thẻ nhớ bị hỏng hoặc vừa bị rút ra)",
        "input/output error (the USB stick or SD card is faulty or was pulled out)",
    ),
    "syserr.ENODEV": (
        "thiết bị không còn (USB đã bị rút ra?)",
        "the device is gone (was the USB stick pulled out?)",
    ),
    "syserr.ENXIO": ("thiết bị không còn kết nối", "the device is no longer connected"),
    "syserr.ENOTCONN": (
        "mất kết nối với thiết bị (USB đã bị rút ra?)",
        "the connection to the device is lost (was the USB stick pulled out?)",
    ),
    "syserr.ENOMEDIUM": ("không có thẻ nhớ/đĩa trong đầu đọc", "no card or disk in the reader"),
    "syserr.ETIMEDOUT": ("thiết bị không trả lời kịp", "the device did not answer in time"),
    "syserr.EBUSY": ("thiết bị hoặc tệp đang bận", "the device or file is busy"),
    "syserr.EEXIST": ("tệp hoặc thư mục đã có", "the file or folder already exists"),
    "syserr.ENOTDIR": (
        "một phần của đường dẫn không phải là thư mục",
        "part of the path is not a folder",
    ),
    "syserr.EISDIR": ("đây là thư mục, không phải tệp", "this is a folder, not a file"),
    "syserr.ENOTEMPTY": ("thư mục không trống", "the folder is not empty"),
    "syserr.EFBIG": ("tệp quá lớn", "the file is too large"),
    "syserr.ENAMETOOLONG": ("tên tệp quá dài", "the file name is too long"),
    "syserr.EINVAL": (
        "tên hoặc tham số không hợp lệ (tên tệp có ký tự mà USB không nhận?)",
        "invalid name or argument (a character the USB stick does not accept in a file name?)",
    ),
    "syserr.ELOOP": ("đường dẫn là liên kết tượng trưng (symlink)", "the path is a symbolic link"),
    "syserr.EXDEV": (
        "không chuyển được tệp sang thiết bị khác",
        "cannot move a file to another device",
    ),
    "syserr.EMFILE": ("mở quá nhiều tệp cùng lúc", "too many open files"),
    "syserr.ENFILE": ("hệ thống mở quá nhiều tệp cùng lúc", "too many open files in the system"),
    "syserr.ENOMEM": ("không đủ bộ nhớ", "out of memory"),
    "syserr.EPIPE": ("chương trình nhận dữ liệu đã đóng", "the receiving program has closed"),
    "syserr.other": ("{text} (mã lỗi {code})", "{text} (error code {code})"),
    "syserr.not_utf8": (
        "không phải văn bản UTF-8 (byte 0x{byte:02x} ở vị trí {position})",
        "not UTF-8 text (byte 0x{byte:02x} at position {position})",
    ),
    "syserr.json": (
        "JSON sai cú pháp ở dòng {line}, cột {column}",
        "invalid JSON at line {line}, column {column}",
    ),
    "syserr.toml.statement": (
        "dòng không đúng dạng 'khoá = giá trị'",
        "the line is not of the form 'key = value'",
    ),
    "syserr.toml.value": (
        "giá trị không hợp lệ (chữ phải nằm trong ngoặc kép)",
        "invalid value (text must be in double quotes)",
    ),
    "syserr.toml.equals": ("thiếu dấu '=' sau tên khoá", "'=' is missing after the key"),
    "syserr.toml.unclosed_array": (
        "danh sách thiếu dấu ']' đóng",
        "a list is missing its closing ']'",
    ),
    "syserr.toml.unclosed_table": (
        "bảng viết trên một dòng thiếu dấu '}}' đóng",
        "an inline table is missing its closing '}}'",
    ),
    "syserr.toml.unterminated": (
        "chuỗi thiếu dấu ngoặc kép đóng",
        "a string is missing its closing quote",
    ),
    "syserr.toml.table_bracket": (
        "tên bảng thiếu dấu ']' đóng",
        "a table name is missing its closing ']'",
    ),
    "syserr.toml.array_bracket": (
        "tên khối thiếu dấu ']]' đóng",
        "an array-of-tables name is missing its closing ']]'",
    ),
    "syserr.toml.twice": ("bảng {key} được khai báo hai lần", "the table {key} is declared twice"),
    "syserr.toml.newline": (
        "còn chữ thừa sau giá trị trên cùng một dòng",
        "there is more text after the value on the same line",
    ),
    "syserr.toml.overwrite": ("một khoá được viết hai lần", "a key is written twice"),
    "syserr.toml.date": ("ngày hoặc giờ không hợp lệ", "invalid date or time"),
    "syserr.toml.character": (
        "có ký tự không được phép: {char}",
        "there is a character that is not allowed: {char}",
    ),
    "syserr.toml.key": (
        "tên khoá bắt đầu bằng ký tự không hợp lệ",
        "a key name starts with an invalid character",
    ),
    # --- tiers and emergencies (tiers.py, broadcast/orders.py) ---
    "tier.unknown": (
        "'{value}' không phải mức độ; hãy dùng: thuong (thông thường), uu-tien (ưu tiên) hoặc khan-cap (khẩn cấp)",
        "'{value}' is not a tier; use thuong (normal), uu-tien (priority) or khan-cap (emergency)",
    ),
    "tier.emergency_has_its_door": (
        "Phát khẩn cấp dùng lệnh riêng, có lý do: loaxa emergency BÀI --reason \"…\"",
        "An emergency broadcast has its own command, with a reason: loaxa emergency CLIP --reason \"…\"",
    ),
    "tier.thuong": ("thông thường", "normal"),
    "tier.uu-tien": ("ưu tiên", "priority"),
    "tier.khan-cap": ("khẩn cấp", "emergency"),
    "emergency.no_reason": (
        'Phát khẩn cấp cần ghi lý do (thiên tai, hoả hoạn, dịch bệnh…): --reason "Bão số 3 đổ bộ"',
        'An emergency broadcast needs a reason (disaster, fire, epidemic…): --reason "Typhoon no. 3 landing"',
    ),
    "emergency.reason_too_long": (
        "Lý do phát khẩn cấp dài quá {maximum} ký tự; hãy viết ngắn gọn.",
        "The emergency's reason is longer than {maximum} characters; keep it short.",
    ),
    "emergency.started": (
        "KHẨN CẤP: đang phát ngay ({reason}); mã buổi {session_id}.",
        "EMERGENCY: on air now ({reason}); session {session_id}.",
    ),
    "emergency.queued": (
        "KHẨN CẤP: đang chờ buổi khẩn cấp trước phát xong ({reason}).",
        "EMERGENCY: waiting for the emergency before it to finish ({reason}).",
    ),
    "emergency.button_reason": ("nút khẩn cấp trên hộp", "the box's emergency button"),
    # --- the daemon's control socket (control.py) ---
    "control.no_daemon": (
        "Chương trình phát (loaxa run) chưa chạy trên hộp này. Kỹ thuật viên bật bằng: sudo systemctl start loaxa",
        "The broadcast program (loaxa run) is not running on this box. The technician starts it with: sudo systemctl start loaxa",
    ),
    "control.failed": (
        "Không hỏi được chương trình phát: {detail}. Thử lại sau ít giây.",
        "Could not reach the broadcast program: {detail}. Try again in a few seconds.",
    ),
    "control.not_allowed": (
        "Chỉ người dùng của chương trình phát (loaxa) hoặc root mới được điều khiển hộp qua đây.",
        "Only the broadcast program's user (loaxa) or root may control the box through here.",
    ),
    "control.bad_request": (
        "Yêu cầu không đọc được (phải là một dòng JSON có \"op\").",
        "The request could not be read (it must be one line of JSON with an \"op\").",
    ),
    "control.too_big": (
        "Yêu cầu quá dài (tối đa {maximum} byte).",
        "The request is too long (at most {maximum} bytes).",
    ),
    "control.unknown_op": (
        "Không có thao tác '{op}'; có: {known}.",
        "There is no operation '{op}'; there are: {known}.",
    ),
    # --- config ---
    "config.bad_quiet_hours": (
        "'{value}' không phải khoảng giờ im lặng; hãy viết \"GG:PP-GG:PP\", ví dụ \"21:30-05:30\"",
        "'{value}' is not a quiet-hours range; write \"HH:MM-HH:MM\", e.g. \"21:30-05:30\"",
    ),
    "config.not_negative": ("không được là số âm (0 = không giới hạn)", "must not be negative (0 = no limit)"),
    "config.toml_syntax": (
        "{file}, dòng {line}: tệp cấu hình viết sai cú pháp TOML ({detail}). Sửa dòng này theo mẫu trong README.",
        "{file}, line {line}: the config file is not valid TOML ({detail}). Fix this line following the README example.",
    ),
    "config.not_utf8": (
        "{file}, dòng {line}: tệp cấu hình không lưu bằng bảng mã UTF-8. Mở tệp, chọn Lưu thành → Mã hoá: UTF-8, rồi lưu lại.",
        "{file}, line {line}: the config file is not saved as UTF-8. Open it, choose Save as → Encoding: UTF-8, and save again.",
    ),
    "config.too_deep": (
        "{file}, dòng {line}: các dấu ngoặc trong tệp cấu hình lồng vào nhau quá sâu nên không đọc được; mỗi giá trị chỉ cần một cặp ngoặc. Sửa dòng này theo mẫu trong README.",
        "{file}, line {line}: brackets in the config file are nested too deeply to read; a value needs one pair of brackets. Fix this line following the README example.",
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
    # --- config: the administration of 1 July 2025 (no districts) ---
    "config.district_retired": (
        "{file}, dòng {line}: khoá 'district' (huyện) không còn dùng: từ 1/7/2025 không còn cấp huyện, báo cáo gửi lên tỉnh ([report] recipient). Có thể xoá dòng này; nếu xã có nhiều hệ thống loa, ghi tên trạm của hộp này vào [commune] station.",
        "{file}, line {line}: the key 'district' is no longer used: districts were abolished on 1 July 2025 and reports go to the province ([report] recipient). You can delete the line; if the commune runs several loudspeaker systems, put this box's station name in [commune] station.",
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
    "clips.source_not_found": (
        "Không tìm thấy tệp '{name}'. Kiểm tra lại tên tệp và thư mục; nếu tên có dấu cách, hãy đặt cả đường dẫn trong ngoặc kép.",
        "File '{name}' was not found. Check the file name and folder; if the name contains spaces, put the whole path in quotes.",
    ),
    "clips.source_is_dir": (
        "'{name}' là một thư mục, không phải tệp âm thanh. Hãy chọn một tệp MP3 hoặc WAV nằm trong thư mục đó.",
        "'{name}' is a folder, not an audio file. Choose an MP3 or WAV file inside that folder.",
    ),
    "clips.source_unreadable": (
        "Không đọc được tệp '{name}' ({detail}). Kiểm tra quyền đọc tệp, hoặc chép lại tệp từ USB/máy tính rồi nhập lại.",
        "Cannot read file '{name}' ({detail}). Check the file permissions, or copy the file again from the USB stick/computer and import it again.",
    ),
    "clips.empty": (
        "Tệp '{name}' rỗng (0 byte), không có âm thanh. Có thể lần chép trước chưa xong; hãy chép lại tệp từ máy tính/điện thoại rồi nhập lại.",
        "File '{name}' is empty (0 bytes). The copy may not have finished; copy the file again from the computer/phone and import it again.",
    ),
    "clips.not_audio": (
        "Tệp '{name}' không phải là tệp âm thanh (hoặc đã hỏng). Hãy xuất lại tệp từ máy tính/điện thoại dưới dạng MP3 hoặc WAV rồi nhập lại.",
        "File '{name}' is not an audio file (or is damaged). Export it again from the computer/phone as MP3 or WAV and import it again.",
    ),
    "clips.corrupt": (
        "Tệp '{name}' bị hỏng: có {errors} lỗi khi giải mã (lỗi đầu tiên: {detail}). Hãy chép lại tệp, hoặc xuất lại dưới dạng MP3 hoặc WAV rồi nhập lại.",
        "File '{name}' is damaged: decoding errors: {errors} (first: {detail}). Copy the file again, or export it again as MP3 or WAV and import it again.",
    ),
    "clips.truncated": (
        "Tệp '{name}' bị hỏng hoặc không đầy đủ: tệp ghi là dài {declared:.1f} giây nhưng chỉ đọc được {decoded:.1f} giây. Có thể tệp chưa chép hoặc tải về xong; hãy chép lại tệp đầy đủ rồi nhập lại.",
        "File '{name}' is damaged or incomplete: it declares {declared:.1f} seconds but only {decoded:.1f} seconds can be read. The copy or download probably did not finish; copy the complete file again and import it again.",
    ),
    "clips.silent": (
        "Tệp '{name}' hầu như không có tiếng (độ to {lufs} LUFS). Hãy nghe thử tệp trên máy tính; nếu đúng là im lặng, hãy kiểm tra micrô và ghi âm lại.",
        "File '{name}' is almost silent (loudness {lufs} LUFS). Listen to it on a computer; if it really is silent, check the microphone and record it again.",
    ),
    "clips.too_short": (
        "Tệp '{name}' quá ngắn ({seconds:.1f} giây); bài phát phải dài ít nhất {minimum:g} giây. Hãy kiểm tra lại bản ghi âm (có thể bị ngắt sớm) rồi ghi lại.",
        "File '{name}' is too short ({seconds:.1f} seconds); a clip must last at least {minimum:g} seconds. Check the recording (it may have stopped early) and record it again.",
    ),
    "clips.too_long": (
        "Tệp '{name}' quá dài ({minutes:.1f} phút); tối đa là {maximum:g} phút. Hãy cắt tệp thành nhiều bài ngắn hơn, hoặc tăng audio.max_clip_minutes trong loaxa.toml.",
        "File '{name}' is too long ({minutes:.1f} minutes); the maximum is {maximum:g} minutes. Split it into shorter clips, or raise audio.max_clip_minutes in loaxa.toml.",
    ),
    "clips.duplicate": (
        "Tệp '{name}' đã được nhập trước đây với mã '{id}' (\"{title}\"). Không cần nhập lại: dùng mã '{id}' trong lịch phát.",
        "File '{name}' was already imported as '{id}' (\"{title}\"). No need to import it again: use '{id}' in the schedule.",
    ),
    "clips.bad_language": (
        "Mã ngôn ngữ '{language}' không hợp lệ. Hãy dùng 2 đến 8 chữ cái thường, ví dụ: vi, ede, tay, hmn, khm.",
        "Language code '{language}' is not valid. Use 2 to 8 lowercase letters, e.g. vi, ede, tay, hmn, khm.",
    ),
    "clips.unknown_original": (
        "Không có bài nào có mã hoặc tên '{ref}' để làm bản gốc của bản dịch. Xem mã bài bằng lệnh loaxa clips list rồi nhập lại với --translation-of MÃ_BÀI.",
        "No clip has the id or title '{ref}' to be the original of this translation. Look up the id with loaxa clips list and import again with --translation-of CLIP_ID.",
    ),
    "clips.translation_exists": (
        "Bài này đã có bản tiếng '{language}': '{id}' (\"{title}\"). Muốn thay bằng bản mới, hãy xoá bản cũ trước: loaxa clips remove {id}",
        "This clip already has a '{language}' version: '{id}' (\"{title}\"). To replace it, remove the old one first: loaxa clips remove {id}",
    ),
    "clips.bad_title": (
        "Tên bài cho tệp '{name}' đang để trống. Hãy đặt một tên bài có chữ, ví dụ \"Thông báo tắt sóng 2G\".",
        "The title for file '{name}' is empty. Give the clip a title with words in it, e.g. \"Thông báo tắt sóng 2G\".",
    ),
    # --- clips: files that are not what they seem, and names that hide characters ---
    "clips.format_refused": (
        "Tệp '{name}' thực ra là loại '{format}', không phải tệp âm thanh MP3, WAV, M4A/AAC, OGG/Opus hay FLAC, nên không được nhập (loại tệp này có thể đọc dữ liệu từ nơi khác). Hãy xuất lại bài dưới dạng MP3 hoặc WAV rồi nhập lại.",
        "File '{name}' is really of type '{format}', not an MP3, WAV, M4A/AAC, OGG/Opus or FLAC audio file, so it was not imported (files of this type can pull in data from elsewhere). Export the clip again as MP3 or WAV and import it again.",
    ),
    "clips.only_zeros": (
        "Tệp '{name}' chỉ chứa toàn byte 0, không có âm thanh. Thường do USB bị rút ra trước khi chép xong; hãy chép lại tệp từ máy tính/điện thoại rồi nhập lại.",
        "File '{name}' holds nothing but zero bytes, no audio. The USB stick was probably pulled out before the copy finished; copy the file again from the computer/phone and import it again.",
    ),
    "clips.name_not_utf8": (
        "Tên tệp '{name}' có chữ không đọc được (không phải mã UTF-8, thường do máy tính cũ đặt tên), nên không dùng làm tên bài được. Hãy đổi tên tệp trên máy tính rồi chép lại, hoặc đặt tên bài bằng --title.",
        "The name of file '{name}' has characters that cannot be read (not UTF-8, usually named on an old computer), so it cannot be the clip's title. Rename the file on a computer and copy it again, or give the title with --title.",
    ),
    "clips.title_hidden_chars": (
        "Tên bài \"{title}\" (tệp '{name}') có ký tự ẩn hoặc không hợp lệ {chars}: những ký tự này có thể đảo thứ tự chữ hiển thị, giấu chữ khỏi người đọc hoặc làm hỏng danh mục. Hãy gõ lại tên bài (hoặc đổi tên tệp) chỉ với chữ, số và dấu câu.",
        "The title \"{title}\" (file '{name}') contains hidden or invalid characters {chars}: they can reverse the order in which text is shown, hide text from the reader or break the clip index. Type the title again (or rename the file) using only letters, digits and punctuation.",
    ),
    "clips.ffmpeg_missing": (
        "Không tìm thấy chương trình '{program}' cần để xử lý âm thanh. Hãy cài đặt bằng lệnh: sudo apt-get install ffmpeg",
        "The program '{program}' needed to process audio was not found. Install it with: sudo apt-get install ffmpeg",
    ),
    "clips.timeout": (
        "Xử lý tệp '{name}' mất quá lâu (hơn {seconds} giây) nên đã dừng lại. Hãy thử lại khi máy rảnh, hoặc cắt tệp thành nhiều bài ngắn hơn.",
        "Processing file '{name}' took too long (over {seconds} seconds) and was stopped. Try again when the box is idle, or split the file into shorter clips.",
    ),
    "clips.ffmpeg_failed": (
        "Không chuyển đổi được tệp '{name}' ({detail}). Hãy xuất lại tệp dưới dạng MP3 hoặc WAV rồi nhập lại; nếu vẫn lỗi, gửi tệp cho kỹ thuật viên.",
        "Could not convert file '{name}' ({detail}). Export it again as MP3 or WAV and import it again; if it still fails, send the file to the technician.",
    ),
    "clips.disk_full": (
        "Thẻ nhớ không đủ chỗ để lưu tệp '{name}' (cần khoảng {needed} MB, còn {free} MB). Hãy xoá bớt những bài không còn dùng rồi nhập lại.",
        "Not enough space on the memory card to store '{name}' (about {needed} MB needed, {free} MB free). Remove clips that are no longer used and import it again.",
    ),
    "clips.store_failed": (
        "Không lưu được bài '{name}' vào '{path}' ({detail}). Kiểm tra thẻ nhớ còn chỗ trống và ghi được, rồi nhập lại.",
        "Could not store clip '{name}' in '{path}' ({detail}). Check that the memory card has free space and is writable, then import again.",
    ),
    "clips.index_corrupt": (
        "Danh mục bài phát '{path}' bị hỏng ({detail}). Đừng xoá các tệp .wav; hãy chép lại danh mục từ bản sao lưu hoặc gọi kỹ thuật viên.",
        "The clip index '{path}' is damaged ({detail}). Do not delete the .wav files; restore the index from a backup or call the technician.",
    ),
    "clips.not_found": (
        "Không có bài nào có mã hoặc tên '{ref}'. Xem lại danh sách bài đã nhập và dùng đúng mã bài.",
        "No clip has the id or title '{ref}'. Look at the list of imported clips and use the exact id.",
    ),
    "clips.repair_temp_removed": (
        "Đã xoá tệp tạm '{name}' còn sót lại do một lần nhập bài bị ngắt (mất điện?). Không cần làm gì thêm.",
        "Removed temporary file '{name}' left by an interrupted import (power cut?). Nothing else to do.",
    ),
    "clips.repair_orphan_removed": (
        "Đã xoá tệp '{name}' không có trong danh mục (lần nhập bài đó bị ngắt giữa chừng). Nếu cần bài này, hãy nhập lại tệp gốc.",
        "Removed '{name}', which was not in the index (its import was interrupted). If you need that clip, import the original file again.",
    ),
    "clips.repair_wav_missing": (
        "Bài '{id}' (\"{title}\") có trong danh mục nhưng mất tệp âm thanh '{name}', nên sẽ không phát được. Hãy nhập lại tệp gốc '{original}' để khôi phục bài với cùng mã.",
        "Clip '{id}' (\"{title}\") is in the index but its audio file '{name}' is missing, so it cannot play. Import the original file '{original}' again to restore it under the same id.",
    ),
    "clips.repair_index_missing": (
        "Không thấy danh mục '{path}' nhưng có {count} tệp .wav trong thư mục bài phát; chưa xoá tệp nào. Hãy chép lại danh mục từ bản sao lưu hoặc gọi kỹ thuật viên.",
        "The index '{path}' is missing but the clips folder holds {count} .wav files; none was deleted. Restore the index from a backup or call the technician.",
    ),
    "clips.repair_busy": (
        "Đang có bài được nhập nên lần này bỏ qua bước dọn thư mục bài phát. Không cần làm gì.",
        "A clip is being imported, so the clips folder was not cleaned up this time. Nothing to do.",
    ),
    "clips.repair_failed": (
        "Không kiểm tra được thư mục bài phát '{path}' ({detail}). Kiểm tra thẻ nhớ; nếu lỗi lặp lại, gọi kỹ thuật viên.",
        "Could not check the clips folder '{path}' ({detail}). Check the memory card; if this repeats, call the technician.",
    ),
    # --- text-to-speech (loaxa clips say) ---
    "tts.empty": (
        'Chưa có văn bản để đọc. Hãy gõ nội dung thông báo, ví dụ: loaxa clips say "Chiều nay cắt nước từ 14h" --title "Cắt nước"',
        'There is no text to read. Type the announcement, e.g. loaxa clips say "Chiều nay cắt nước từ 14h" --title "Cắt nước"',
    ),
    "tts.no_words": (
        "Văn bản chỉ có dấu câu hoặc ký hiệu, không có chữ nào để đọc. Hãy gõ nội dung thông báo bằng chữ.",
        "The text has only punctuation or symbols, no word to read. Type the announcement in words.",
    ),
    "tts.too_long": (
        "Văn bản dài {length} ký tự, quá giới hạn {maximum} ký tự (khoảng {minutes} phút đọc). Hãy chia thành nhiều bài ngắn hơn.",
        "The text is {length} characters long, over the limit of {maximum} characters (about {minutes} min of reading). Split it into shorter clips.",
    ),
    "tts.bad_language": (
        "Hộp chỉ đọc được văn bản tiếng Việt (vi), không đọc được tiếng '{language}'. Bài tiếng dân tộc cần được ghi âm rồi nhập bằng loaxa clips import.",
        "The box can read Vietnamese text (vi) only, not '{language}'. Clips in other languages must be recorded and imported with loaxa clips import.",
    ),
    "tts.bad_speed": (
        "Tốc độ đọc {speed} không hợp lệ; hãy chọn từ {low} đến {high} (1.0 là bình thường, 0.8 chậm hơn, 1.2 nhanh hơn).",
        "Reading speed {speed} is not valid; choose from {low} to {high} (1.0 is normal, 0.8 slower, 1.2 faster).",
    ),
    "tts.bad_voice_name": (
        "'{voice}' không phải tên giọng espeak-ng; ví dụ: vi, vi-vn-x-central, vi-vn-x-south, vi+f3",
        "'{voice}' is not an espeak-ng voice name; e.g. vi, vi-vn-x-central, vi-vn-x-south, vi+f3",
    ),
    "tts.bad_voice": (
        "Không có giọng đọc '{voice}'. Các giọng tiếng Việt có trên hộp: {choices}; có thể thêm biến thể sau dấu +, ví dụ vi+f3 (giọng nữ).",
        "There is no voice '{voice}'. The Vietnamese voices on this box: {choices}; a variant may follow a +, e.g. vi+f3 (female).",
    ),
    "tts.bad_engine": (
        "Không có bộ đọc '{engine}'; hãy chọn một trong: {choices}.",
        "There is no speech engine '{engine}'; choose one of: {choices}.",
    ),
    "tts.piper_needs_model": (
        'engine = "piper" cần tệp giọng: hãy ghi đường dẫn tệp .onnx vào piper_model, hoặc dùng engine = "auto"',
        'engine = "piper" needs a voice file: set piper_model to the .onnx file, or use engine = "auto"',
    ),
    "tts.bad_abbreviation": (
        "mục viết tắt '{written}' phải có chữ, không có dấu cách ở đầu/cuối, không quá {key_max} ký tự, và cách đọc không quá {value_max} ký tự",
        "abbreviation '{written}' must contain a letter, no leading/trailing spaces, at most {key_max} characters, and its reading at most {value_max} characters",
    ),
    "tts.espeak_missing": (
        "Chưa cài espeak-ng, bộ đọc tiếng Việt mặc định. Cài bằng lệnh: sudo apt-get install espeak-ng",
        "espeak-ng, the default Vietnamese speech engine, is not installed. Install it with: sudo apt-get install espeak-ng",
    ),
    "tts.engine_failed": (
        "Bộ đọc {engine} không đọc được văn bản ({detail}). Hãy thử lại; nếu vẫn lỗi, gửi văn bản cho kỹ thuật viên.",
        "The {engine} speech engine could not read the text ({detail}). Try again; if it still fails, send the text to the technician.",
    ),
    "tts.engine_timeout": (
        "Bộ đọc {engine} chạy quá {seconds} giây nên đã bị dừng. Hãy thử lại khi hộp rảnh, hoặc chia văn bản thành nhiều bài ngắn hơn.",
        "The {engine} speech engine ran for over {seconds} seconds and was stopped. Try again when the box is idle, or split the text into shorter clips.",
    ),
    "tts.too_short": (
        "Văn bản quá ngắn: đọc ra chỉ được {seconds:.1f} giây, bài phát phải dài ít nhất {minimum:g} giây. Hãy viết thêm nội dung.",
        "The text is too short: it reads in only {seconds:.1f} seconds and a clip must last at least {minimum:g} seconds. Write a little more.",
    ),
    "tts.duplicate": (
        "Văn bản này đã được đọc thành bài '{id}' (\"{title}\") với cùng giọng và tốc độ. Không cần đọc lại: dùng mã '{id}' trong lịch phát.",
        "This text was already read into clip '{id}' (\"{title}\") with the same voice and speed. No need to read it again: use '{id}' in the schedule.",
    ),
    "tts.piper_missing": (
        "Không thấy tệp giọng Piper '{path}' ([tts] piper_model); hộp không tự tải giọng về. Đã đọc bằng espeak-ng thay thế. Hãy chép tệp .onnx và .onnx.json vào đúng chỗ.",
        "The Piper voice file '{path}' ([tts] piper_model) was not found; the box never downloads voices. espeak-ng read the text instead. Copy the .onnx and .onnx.json files into place.",
    ),
    "tts.piper_not_onnx": (
        "Tệp giọng Piper '{path}' không phải mô hình ONNX (hỏng, hoặc chép/tải chưa xong). Đã đọc bằng espeak-ng thay thế. Hãy chép lại tệp từ bản gốc.",
        "The Piper voice file '{path}' is not an ONNX model (damaged, or the copy/download did not finish). espeak-ng read the text instead. Copy the file again from the original.",
    ),
    "tts.piper_no_config": (
        "Thiếu tệp '{path}' đi kèm giọng Piper. Đã đọc bằng espeak-ng thay thế. Hãy chép tệp .onnx.json cùng tên vào cạnh tệp .onnx.",
        "The file '{path}' that goes with the Piper voice is missing. espeak-ng read the text instead. Copy the .onnx.json of the same name next to the .onnx file.",
    ),
    "tts.piper_bad_config": (
        "Tệp '{path}' của giọng Piper bị hỏng ({detail}). Đã đọc bằng espeak-ng thay thế. Hãy chép lại tệp từ bản gốc.",
        "The Piper voice file '{path}' is damaged ({detail}). espeak-ng read the text instead. Copy the file again from the original.",
    ),
    "tts.piper_not_vietnamese": (
        "Giọng Piper '{path}' là giọng tiếng '{language}', không phải tiếng Việt. Đã đọc bằng espeak-ng thay thế. Hãy dùng một giọng vi_VN, ví dụ vi_VN-vais1000-medium.",
        "The Piper voice '{path}' speaks '{language}', not Vietnamese. espeak-ng read the text instead. Use a vi_VN voice, e.g. vi_VN-vais1000-medium.",
    ),
    "tts.piper_not_installed": (
        "Chưa cài Piper trên hộp này (pip install 'loaxa[piper]'; không có cho Pi 32-bit). Đã đọc bằng espeak-ng thay thế.",
        "Piper is not installed on this box (pip install 'loaxa[piper]'; not available on a 32-bit Pi). espeak-ng read the text instead.",
    ),
    "tts.piper_failed": (
        "Piper không đọc được bằng giọng '{path}' ({detail}). Đã đọc bằng espeak-ng thay thế.",
        "Piper could not read with the voice '{path}' ({detail}). espeak-ng read the text instead.",
    ),
    "tts.voice_ignored": (
        "Giọng '{voice}' là giọng espeak-ng; Piper đọc bằng giọng của tệp '{path}'.",
        "Voice '{voice}' is an espeak-ng voice; Piper reads with the voice of '{path}'.",
    ),
    # --- stored clips that no longer match the index ---
    "stored.damaged": (
        "Bài '{id}' (\"{title}\") bị hỏng: {detail}. Bài này sẽ không được phát. Hãy nhập lại tệp gốc '{original}' để khôi phục bài với cùng mã.",
        "Clip '{id}' (\"{title}\") is damaged: {detail}. It will not be played. Import the original file '{original}' again to restore it under the same id.",
    ),
    "stored.size": (
        "tệp '{name}' có {actual} byte nhưng lúc nhập có {expected} byte",
        "file '{name}' holds {actual} bytes but held {expected} when it was imported",
    ),
    "stored.not_wav": (
        "phần đầu tệp '{name}' không còn là tiêu đề WAV đọc được",
        "the start of file '{name}' is no longer a readable WAV header",
    ),
    "stored.short": (
        "tệp '{name}' chỉ còn {present:.1f} giây âm thanh trong {declared:.1f} giây",
        "file '{name}' holds only {present:.1f} s of its {declared:.1f} s of audio",
    ),
    "stored.length": (
        "tệp '{name}' dài {declared:.1f} giây nhưng lúc nhập dài {expected:.1f} giây",
        "file '{name}' lasts {declared:.1f} s but lasted {expected:.1f} s when it was imported",
    ),
    "stored.hash": (
        "nội dung tệp '{name}' đã khác lúc nhập (mã SHA-256 không khớp; thẻ nhớ có thể đang hỏng)",
        "the content of file '{name}' changed since it was imported (SHA-256 does not match; the memory card may be failing)",
    ),
    "stored.unreadable": (
        "không đọc được tệp '{name}' ({detail})",
        "file '{name}' cannot be read ({detail})",
    ),
    "stored.ok": ("nguyên vẹn", "intact"),
    "stored.damaged_mark": ("✘ HỎNG", "✘ DAMAGED"),
    "stored.missing_mark": ("✘ MẤT TỆP", "✘ FILE MISSING"),
    # --- schedule ---
    "schedule.at": ("{file}, dòng {line}: {message}", "{file}, line {line}: {message}"),
    "schedule.unreadable": (
        "không đọc được tệp lịch ({detail}); kiểm tra tên tệp và quyền đọc",
        "cannot read the schedule file ({detail}); check the file name and permissions",
    ),
    "schedule.not_utf8": (
        "tệp lịch không phải văn bản UTF-8 (có ký tự lạ ở dòng này); hãy mở tệp bằng trình soạn thảo và lưu lại với bảng mã UTF-8",
        "the schedule file is not UTF-8 text (strange characters on this line); open it in a text editor and save it again as UTF-8",
    ),
    "schedule.empty": (
        "tệp lịch trống; hãy viết một bảng [campaign] và ít nhất một khối [[slot]] theo mẫu trong docs/schedules.md",
        "the schedule file is empty; write a [campaign] table and at least one [[slot]] block following docs/schedules.md",
    ),
    "schedule.toml_syntax": (
        "viết sai cú pháp TOML ({detail}); sửa dòng này theo mẫu trong docs/schedules.md{hint}",
        "not valid TOML ({detail}); fix this line following the example in docs/schedules.md{hint}",
    ),
    "schedule.hint_quote": (
        " — có lẽ cần đặt giá trị trong ngoặc kép: {fixed}",
        " — the value probably needs quotes: {fixed}",
    ),
    "schedule.did_you_mean": (" (có phải ý bạn là '{name}'?)", " (did you mean '{name}'?)"),
    "schedule.hint_move": (
        " (dòng này phải nằm dưới {table})",
        " (this line belongs under {table})",
    ),
    "schedule.unknown_key": (
        "'{key}' không phải là khoá của tệp lịch; xoá dòng này hoặc sửa lại tên khoá{hint}",
        "'{key}' is not a schedule key; delete the line or correct the key name{hint}",
    ),
    "schedule.missing_key": (
        "thiếu khoá bắt buộc '{key}'; thêm dòng: {example}",
        "required key '{key}' is missing; add the line: {example}",
    ),
    "schedule.wrong_type": (
        "'{key}' phải là {expected}, không phải {got}",
        "'{key}' must be {expected}, not {got}",
    ),
    "schedule.type.text": ("một chuỗi trong ngoặc kép", "a quoted string"),
    "schedule.type.date": (
        'một ngày, ví dụ 2024-08-01 hoặc "01/08/2024"',
        'a date, e.g. 2024-08-01 or "01/08/2024"',
    ),
    "schedule.type.time": ('giờ trong ngoặc kép, ví dụ "06:30"', 'a quoted time, e.g. "06:30"'),
    "schedule.type.days": (
        'tên ngày hoặc danh sách ngày, ví dụ ["T2", "T4"] hoặc "hằng ngày"',
        'a day or a list of days, e.g. ["T2", "T4"] or "every day"',
    ),
    "schedule.type.text_list": (
        'một chuỗi hoặc danh sách chuỗi, ví dụ ["thon-1", "thon-2"]',
        'a string or a list of strings, e.g. ["thon-1", "thon-2"]',
    ),
    "schedule.type.whole": ("một số nguyên, ví dụ 2", "a whole number, e.g. 2"),
    "schedule.type.number": ("một số, ví dụ 10", "a number, e.g. 10"),
    "schedule.type.table": (
        "một bảng: [campaign] hoặc các khối [[slot]]",
        "a table: [campaign] or [[slot]] blocks",
    ),
    "schedule.empty_text": (
        "'{key}' không được để trống",
        "'{key}' must not be empty",
    ),
    "schedule.empty_list": (
        "'{key}' cần ít nhất một giá trị, ví dụ: {example}",
        "'{key}' needs at least one value, e.g.: {example}",
    ),
    "schedule.bad_date": (
        '{value} không phải là một ngày; hãy viết ngày/tháng/năm như "01/08/2024", hoặc 2024-08-01',
        '{value} is not a date; write day/month/year like "01/08/2024", or 2024-08-01',
    ),
    "schedule.no_such_date": (
        "{value} không phải là một ngày có thật: tháng {month}/{year} chỉ có {days} ngày",
        "{value} is not a date: month {month}/{year} ends on day {days}",
    ),
    "schedule.no_such_month": (
        "{value} không phải là một ngày: không có tháng {month} (viết ngày trước, tháng sau: dd/mm/yyyy)",
        "{value} is not a date: there is no month {month} (day first, then month: dd/mm/yyyy)",
    ),
    "schedule.end_before_start": (
        "ngày kết thúc {end} trước ngày bắt đầu {start}; kiểm tra lại hai ngày này (có viết nhầm ngày với tháng không?)",
        "end {end} is before start {start}; check both dates (are day and month swapped?)",
    ),
    "schedule.window_too_long": (
        "chiến dịch từ {start} đến {end} dài hơn {years} năm; kiểm tra lại năm của ngày kết thúc",
        "the campaign from {start} to {end} is longer than {years} years; check the year of the end date",
    ),
    "schedule.except_outside": (
        "ngày nghỉ {date} nằm ngoài thời gian chiến dịch ({start} – {end}) nên không có tác dụng",
        "exception date {date} is outside the campaign ({start} – {end}), so it changes nothing",
    ),
    "schedule.bad_time": (
        "{value} không phải là giờ trong ngày; hãy viết HH:MM, từ 00:00 đến 23:59{hint}",
        "{value} is not a time of day; write HH:MM, 00:00–23:59{hint}",
    ),
    "schedule.bad_day": (
        "'{value}' không phải là ngày trong tuần; hãy viết T2…T7, CN hoặc mon…sun",
        "'{value}' is not a day; write T2…T7, CN or mon…sun",
    ),
    "schedule.day_range_reversed": (
        "'{value}' đi ngược chiều tuần; hãy viết từ ngày đầu đến ngày cuối, ví dụ \"T2-T6\"",
        "'{value}' runs backwards through the week; write from the first day to the last, e.g. \"mon-fri\"",
    ),
    "schedule.bad_repeat": (
        "repeat phải từ 1 đến 10 (số lần phát lại cả danh sách), không phải {value}",
        "repeat must be 1–10 (how many times the whole playlist plays), not {value}",
    ),
    "schedule.bad_gap": (
        "gap_seconds phải từ 0 đến 600 giây, không phải {value}",
        "gap_seconds must be 0–600 seconds, not {value}",
    ),
    "schedule.no_slots": (
        "chưa có khung giờ phát nào; thêm ít nhất một khối [[slot]] với time, days, playlist và zones",
        "there is no broadcast slot; add at least one [[slot]] block with time, days, playlist and zones",
    ),
    "schedule.slot_not_array": (
        "khung giờ phải viết là [[slot]] (hai cặp ngoặc vuông), mỗi khung giờ một khối",
        "slots must be written [[slot]] (double square brackets), one block per slot",
    ),
    "schedule.duplicate_slot": (
        "tên khung giờ '{name}' đã dùng ở dòng {other_line}; mỗi khung giờ cần một tên riêng",
        "slot name '{name}' is already used on line {other_line}; each slot needs its own name",
    ),
    "schedule.unknown_zone": (
        "vùng loa '{zone}' không có trong cấu hình; các vùng đã khai báo: {known}{hint}",
        "zone '{zone}' is not in the config; the configured zones are: {known}{hint}",
    ),
    "schedule.unknown_clip": (
        "bài '{ref}' chưa có trong thư viện bài phát; hãy nhập bằng lệnh loaxa clips import{hint}",
        "clip '{ref}' is not in the library; import it with loaxa clips import{hint}",
    ),
    "schedule.never_plays": (
        "khung giờ này không phát lần nào: từ {start} đến {end} không có ngày nào thuộc 'days' (trừ ngày nghỉ)",
        "this slot never plays: no date from {start} to {end} is one of its 'days' (exceptions excluded)",
    ),
    "schedule.overlap": (
        "khung giờ này trùng với khung giờ '{other}' (tệp {other_file}, dòng {other_line}) vào ngày {date} từ {start} đến {end}{more}; chỉ có một âm ly, hãy dời giờ một trong hai khung",
        "this slot overlaps slot '{other}' (file {other_file}, line {other_line}) on {date} from {start} to {end}{more}; there is one amplifier, move one of the two slots",
    ),
    "schedule.overlap_more": (" và {count} ngày khác", " and on {count} other days"),
    "schedule.overlap_more.one": (" và {count} ngày khác", " and on {count} other day"),
    # --- schedule: files that cannot be read at all, and hostile ones ---
    "schedule.at_file": ("{file}: {message}", "{file}: {message}"),
    "schedule.missing_file": (
        "không có tệp lịch này; kiểm tra lại tên tệp và thư mục",
        "there is no such schedule file; check the file name and folder",
    ),
    "schedule.not_regular": ("không phải một tệp thường", "not a regular file"),
    "schedule.too_big": (
        "tệp lịch quá lớn ({kilobytes} KB); một tệp chiến dịch chỉ vài KB, tối đa {maximum} KB. Hãy kiểm tra lại xem có chép nhầm tệp không",
        "the schedule file is too big ({kilobytes} KB); a campaign file is a few KB, at most {maximum} KB. Check that the right file was copied",
    ),
    "schedule.too_deep": (
        'các dấu ngoặc lồng vào nhau quá sâu nên không đọc được tệp lịch; mỗi giá trị chỉ cần một cặp ngoặc, ví dụ days = ["T2", "T4"]',
        'brackets are nested too deeply to read the schedule file; a value needs one pair of brackets, e.g. days = ["T2", "T4"]',
    ),
    "schedule.unexpected": (
        "không đọc được tệp lịch vì một lỗi không lường trước ({detail}); tệp này không được dùng, các tệp khác vẫn chạy. Hãy gửi tệp này cho kỹ thuật viên",
        "the schedule file could not be read because of an unexpected error ({detail}); this file is not used, the others keep running. Send this file to the technician",
    ),
    "schedule.bad_year": (
        "năm {year} không hợp lý; chiến dịch phải nằm trong các năm {first}–{last} (có viết nhầm năm không?)",
        "year {year} is not plausible; a campaign must lie within {first}–{last} (is the year mistyped?)",
    ),
    # --- schedule: tiers, one-off events, languages (issue 12) ---
    "schedule.bad_tier": (
        "'{value}' không phải là mức độ của bản tin; hãy viết \"thông thường\" (hoặc \"thuong\", \"normal\"), \"ưu tiên\" (\"uu-tien\", \"priority\") hoặc \"khẩn cấp\" (\"khan-cap\", \"emergency\")",
        "'{value}' is not a tier; write \"thông thường\" (or \"thuong\", \"normal\"), \"ưu tiên\" (\"uu-tien\", \"priority\") or \"khẩn cấp\" (\"khan-cap\", \"emergency\")",
    ),
    "schedule.date_and_window": (
        "'date' là ngày của một buổi phát riêng lẻ, không viết thêm '{key}'; hãy dùng date = … hoặc start = … và end = …",
        "'date' is the day of a one-off event, so do not also write '{key}'; use either date = … or start = … and end = …",
    ),
    "schedule.bad_language": (
        "'{value}' không phải là mã tiếng; hãy viết mã như khi nhập bài (--clip-lang), ví dụ \"vi\", \"ede\", \"jra\"",
        "'{value}' is not a language code; write the code used at import (--clip-lang), e.g. \"vi\", \"ede\", \"jra\"",
    ),
    "schedule.language_twice": (
        "tiếng '{language}' được ghi hai lần trong 'languages'; mỗi tiếng chỉ ghi một lần",
        "language '{language}' is listed twice in 'languages'; list each language once",
    ),
    "schedule.unknown_language": (
        "thư viện chưa có bài nào bằng tiếng '{language}'; các tiếng đã có: {known}",
        "the library has no clip in language '{language}'; the languages it has: {known}",
    ),
    "schedule.missing_translation": (
        "bài '{ref}' chưa có bản tiếng '{language}' (đã có: {have}); hãy nhập bản dịch: loaxa clips import TỆP --clip-lang {language} --translation-of \"{ref}\"",
        "clip '{ref}' has no '{language}' version (it has: {have}); import the translation: loaxa clips import FILE --clip-lang {language} --translation-of \"{ref}\"",
    ),
    # --- schedule: the commune's [policy] (issue 12) ---
    "schedule.policy_quiet": (
        "khung giờ này phát vào giờ im lặng {range} của xã ([policy] quiet_hours) vào ngày {date} từ {start} đến {end}{more}; hãy dời giờ phát ra ngoài khoảng này",
        "this slot would be on air in the commune's quiet hours {range} ([policy] quiet_hours) on {date} from {start} to {end}{more}; move it outside those hours",
    ),
    "schedule.policy_length": (
        "buổi phát dài {minutes} phút, quá {maximum} phút cho phép ([policy] max_session_minutes) vào ngày {date}{more}; hãy bớt bài, giảm repeat hoặc chia thành hai khung giờ",
        "the session takes {minutes} min, over the {maximum} min allowed ([policy] max_session_minutes) on {date}{more}; drop a clip, lower repeat or split it into two slots",
    ),
    "schedule.policy_per_day": (
        "ngày {date} đã có {sessions} trước khung giờ này, đủ mức tối đa một ngày ([policy] max_sessions_per_day, tính mọi tệp lịch){more}; hãy bớt một khung giờ",
        "{date} already has {sessions} before this slot, the most a day allows ([policy] max_sessions_per_day, all files together){more}; drop a slot",
    ),
    "schedule.policy_weekend": (
        "khung giờ này phát vào {day} {date}{more}, nhưng xã chỉ phát từ thứ Hai đến thứ Sáu ([policy] weekdays_only); hãy bỏ T7, CN khỏi 'days'",
        "this slot plays on {day} {date}{more}, but the commune broadcasts Monday to Friday only ([policy] weekdays_only); remove Sat and Sun from 'days'",
    ),
    "schedule.policy_ignored": (
        "chiến dịch khẩn cấp: khung giờ này không theo {rule} vào ngày {date}{more}, nhưng vẫn được phát vì tin khẩn cấp không bị giới hạn",
        "emergency campaign: this slot breaks {rule} on {date}{more}, but it plays anyway: emergencies are not limited",
    ),
    "schedule.rule.quiet": ("giờ im lặng ([policy] quiet_hours)", "the quiet hours ([policy] quiet_hours)"),
    "schedule.rule.length": (
        "thời lượng tối đa một buổi ([policy] max_session_minutes)",
        "the longest session ([policy] max_session_minutes)",
    ),
    "schedule.rule.weekend": (
        "quy định chỉ phát từ thứ Hai đến thứ Sáu ([policy] weekdays_only)",
        "the weekdays-only rule ([policy] weekdays_only)",
    ),
    "schedule.bad_rotation": (
        "language_rotation chỉ nhận \"hằng ngày\" (\"daily\": mỗi ngày một tiếng, lần lượt), không phải {value}",
        "language_rotation only takes \"daily\" (\"hằng ngày\": one language a day, in turn), not {value}",
    ),
    # --- approval of schedule files by the commune leadership (issue 12) ---
    "approval.awaiting": (
        "chờ duyệt: chưa có ai duyệt tệp này",
        "awaiting approval: nobody has approved this file yet",
    ),
    "approval.approved": ("đã được {by} duyệt lúc {at}", "approved by {by} at {at}"),
    "approval.refused": (
        "bị {by} từ chối lúc {at}: {reason}",
        "refused by {by} at {at}: {reason}",
    ),
    "approval.voided": (
        "chờ duyệt lại: tệp đã bị sửa sau khi {by} duyệt lúc {at}, nên lần duyệt đó hết hiệu lực",
        "awaiting approval again: the file was edited after {by} approved it at {at}, so that approval is void",
    ),
    "approval.edited_after_refusal": (
        "chờ duyệt: tệp đã được sửa sau khi {by} từ chối lúc {at}",
        "awaiting approval: the file was edited after {by} refused it at {at}",
    ),
    "approval.waits": (
        "{status}. Tệp này chưa được phát (xã yêu cầu lãnh đạo duyệt lịch: [policy] require_approval); duyệt bằng lệnh loaxa schedule approve TỆP --by \"Họ tên, chức vụ\"",
        "{status}. This file does not air (the commune requires approval: [policy] require_approval); approve it with loaxa schedule approve FILE --by \"Name, position\"",
    ),
    "approval.corrupt": (
        "Tệp ghi việc duyệt lịch '{path}' bị hỏng ({detail}). Đừng xoá hay ghi đè tệp này; hãy chép lại từ bản sao lưu hoặc gọi kỹ thuật viên.",
        "The approvals file '{path}' is damaged ({detail}). Do not delete or overwrite it; restore it from a backup or call the technician.",
    ),
    "approval.no_name": (
        "Hãy ghi rõ ai duyệt hoặc từ chối: --by \"Họ tên, chức vụ\", ví dụ --by \"Nguyễn Văn A, Chủ tịch UBND xã\".",
        "Say who approves or refuses: --by \"Name, position\", e.g. --by \"Nguyễn Văn A, Chủ tịch UBND xã\".",
    ),
    "approval.no_reason": (
        "Hãy ghi lý do từ chối: --reason \"…\".",
        "Give the reason for the refusal: --reason \"…\".",
    ),
    "approval.unreadable": ("Không duyệt được: {problem}", "Cannot decide on it: {problem}"),
    "approval.event_approved": (
        "Lịch {file} được {by} duyệt lúc {at}.",
        "Schedule {file} approved by {by} at {at}.",
    ),
    "approval.event_refused": (
        "Lịch {file} bị {by} từ chối lúc {at}: {reason}.",
        "Schedule {file} refused by {by} at {at}: {reason}.",
    ),
    "approval.event_voided": (
        "Lịch {file} đã bị sửa sau khi {by} duyệt: lần duyệt đó hết hiệu lực, tệp chờ duyệt lại và không được phát.",
        "Schedule {file} was edited after {by} approved it: that approval is void, the file awaits approval again and does not air.",
    ),
    # --- schedule: relayed sources (source = "stream" | "line-in") ---
    "schedule.bad_source": (
        "source = '{value}' không hợp lệ; chọn một trong: {choices}",
        "source = '{value}' is not valid; choose one of: {choices}",
    ),
    "schedule.source_key_alone": (
        "khoá '{key}' chỉ dùng cho khung giờ tiếp sóng; hãy thêm source = \"stream\" hoặc source = \"line-in\", hoặc xoá dòng này",
        "key '{key}' is only for a relayed slot; add source = \"stream\" or source = \"line-in\", or remove this line",
    ),
    "schedule.source_key_wrong": (
        "khoá '{key}' không dùng cho source = \"{kind}\"; hãy xoá dòng này",
        "key '{key}' does not apply to source = \"{kind}\"; remove this line",
    ),
    "schedule.stream_url_scheme": (
        "chỉ tiếp sóng được địa chỉ http:// hoặc https://, không phải '{url}' (tệp trên máy, file:, concat:, subfile:, data: đều bị từ chối)",
        "only http:// or https:// addresses can be relayed, not '{url}' (local files, file:, concat:, subfile:, data: are all refused)",
    ),
    "schedule.stream_url_bad": (
        "địa chỉ luồng '{url}' không hợp lệ (thiếu tên máy chủ, có dấu cách hoặc quá dài)",
        "stream address '{url}' is not valid (no host name, a space in it, or too long)",
    ),
    "schedule.stream_playlist_local": (
        "danh sách phát ở '{url}' trỏ tới '{entry}', không phải một địa chỉ http:// hoặc https://; luồng này bị từ chối",
        "the playlist at '{url}' names '{entry}', which is not an http:// or https:// address; this stream is refused",
    ),
    "schedule.stream_unreachable": (
        "lúc này không mở được luồng '{url}' để kiểm tra ({detail}); lịch vẫn được nhận, hãy kiểm tra mạng và địa chỉ trước giờ phát",
        "the stream '{url}' could not be opened to check it now ({detail}); the schedule is accepted, check the network and address before the slot",
    ),
    "schedule.line_in_device": (
        "thiết bị thu '{device}' không hợp lệ; ghi tên card như \"plughw:CARD=Device,DEV=0\" (xem: arecord -L) hoặc tên thiết bị kỹ thuật viên đã khai báo",
        "capture device '{device}' is not valid; write a card name such as \"plughw:CARD=Device,DEV=0\" (see: arecord -L) or a device name the technician defined",
    ),
    "schedule.duration_and_until": (
        "chỉ ghi một trong hai: duration_minutes hoặc until",
        "write only one of duration_minutes and until",
    ),
    "schedule.bad_duration": (
        "duration_minutes = {value} không hợp lệ; phải lớn hơn 0 và tối đa {maximum} phút",
        "duration_minutes = {value} is not valid; it must be above 0 and at most {maximum} minutes",
    ),
    "schedule.until_before_time": (
        "until = \"{until}\" phải sau giờ bắt đầu (time) trong cùng ngày",
        "until = \"{until}\" must be after the slot's time, on the same day",
    ),
    "schedule.fallback_too_long": (
        "bài dự phòng '{clip}' dài {clip_minutes} phút, hơn cả khung tiếp sóng ({minutes} phút), nên sẽ không bao giờ được phát (bài dự phòng chỉ phát khi còn đủ thời gian)",
        "fallback clip '{clip}' lasts {clip_minutes} min, longer than the relay ({minutes} min), so it will never play (a fallback plays only if it fits in the time left)",
    ),
    # --- relays ---
    "relays.serial_ready": (
        "Rơ-le: {board} ở cổng {port} ({baud} baud); mọi kênh đã TẮT.",
        "Relays: {board} on port {port} ({baud} baud); every channel is OFF.",
    ),
    "relays.board_lcus": ("bo rơ-le USB LCUS (CH340)", "the LCUS USB relay board (CH340)"),
    "relays.board_modbus": (
        "mô-đun rơ-le Modbus RTU địa chỉ {address}",
        "the Modbus RTU relay module at address {address}",
    ),
    "relays.port_gone": (
        "mất kết nối với {board} ở cổng {port} ({detail}). Kiểm tra cáp USB còn cắm chặt và bo có điện, tên cổng trong loaxa.toml ([relays] port), và xem cổng có trong danh sách không: ls /dev/ttyUSB*",
        "lost the connection to {board} on port {port} ({detail}). Check that the USB cable is plugged in and the board has power, the port name in loaxa.toml ([relays] port), and that the port is listed: ls /dev/ttyUSB*",
    ),
    "relays.not_confirmed": (
        "không nhận được xác nhận từ {board} ở cổng {port} khi {state} kênh {channel} ({relay}): {detail}. Kiểm tra cáp (RS-485: dây A và B không bị đảo), nguồn của bo, địa chỉ và tốc độ baud trong loaxa.toml ([relays] modbus_address, baud), tên cổng ([relays] port; xem: ls /dev/ttyUSB*)",
        "no confirmation from {board} on port {port} when switching channel {channel} ({relay}) {state}: {detail}. Check the cable (RS-485: A and B not swapped), the board's power, the address and baud rate in loaxa.toml ([relays] modbus_address, baud), and the port name ([relays] port; see: ls /dev/ttyUSB*)",
    ),
    "relays.no_reply": ("không có trả lời sau {seconds} giây", "no reply within {seconds} s"),
    "relays.wrong_reply": (
        "trả lời không khớp với lệnh: {reply}",
        "the reply does not match the command: {reply}",
    ),
    "relays.bad_crc": (
        "trả lời sai mã kiểm tra CRC (nhiễu trên đường dây hoặc sai tốc độ baud): {reply}",
        "a reply with a wrong CRC (noise on the line or a wrong baud rate): {reply}",
    ),
    "relays.modbus_exception": (
        "mô-đun trả về mã lỗi Modbus {code} (số kênh vượt quá số rơ-le của mô-đun?)",
        "the module answered Modbus exception {code} (a channel the module does not have?)",
    ),
    "relays.readback_differs": (
        "đọc lại thấy kênh vẫn {state}",
        "reading it back shows the channel still {state}",
    ),
    "relays.state_unknown": (
        "không biết rơ-le {relays} đang bật hay tắt: mất liên lạc với bo rơ-le. Kiểm tra cáp USB/RS-485 và nguồn của bo, tên cổng trong loaxa.toml ([relays] port), và xem cổng có trong danh sách không: ls /dev/ttyUSB*. Nếu âm ly còn bật, hãy tắt bằng tay.",
        "the state of relays {relays} is unknown: the relay board cannot be reached. Check the USB/RS-485 cable and the board's power, the port name in loaxa.toml ([relays] port), and that the port is listed: ls /dev/ttyUSB*. If the amplifier is still on, switch it off by hand.",
    ),
    "relays.reconnected": (
        "Đã kết nối lại {board} ở cổng {port}; mọi kênh đã TẮT.",
        "Reconnected to {board} on port {port}; every channel is OFF.",
    ),
    "relays.reconnected_amp_refused": (
        "bo rơ-le ở cổng {port} vừa được kết nối lại giữa buổi phát nên mọi kênh đã TẮT; không bật âm ly khi không có vùng loa nào. Buổi phát sau sẽ chạy bình thường.",
        "the relay board on port {port} was reconnected in the middle of the session, so every channel is OFF; the amplifier is not switched on into no zone. The next session will run normally.",
    ),
    "relays.gpio_readback_differs": (
        "đọc lại chân GPIO thấy rơ-le {relays} không còn ở trạng thái đã đặt; có thể một chương trình khác đang điều khiển chân {pins} (kiểm tra: pinctrl get {pins})",
        "reading the GPIO pins back shows relay {relays} no longer as it was set; another program may be driving pin {pins} (check: pinctrl get {pins})",
    ),
    "relays.amplifier_lost_power": (
        "âm ly mất điện trong lúc phát (cảm biến nguồn âm ly không còn báo có điện); kiểm tra nguồn và công-tắc-tơ của âm ly",
        "the amplifier lost power while playing (its power sense went off); check the amplifier's power supply and contactor",
    ),
    "relays.amplifier_no_power": (
        "âm ly không bật lên trong thời gian chờ {seconds} giây (cảm biến nguồn âm ly không báo có điện); kiểm tra nguồn và công-tắc-tơ của âm ly",
        "the amplifier did not power on within the {seconds} s warm-up (its power sense stayed off); check the amplifier's power supply and contactor",
    ),
    "relays.line_silent": (
        "đường dây loa không có tín hiệu trong lúc phát (cảm biến đường dây không báo); kiểm tra dây loa, cầu chì và biến áp đường dây",
        "the speaker line carried no signal while playing (the line sense stayed off); check the speaker wiring, fuses and line transformer",
    ),
    "relays.bad_channel": (
        "với backend '{backend}' đây là số kênh trên bo rơ-le: một số nguyên từ 1 đến {highest}, không phải {value!r}",
        "with backend '{backend}' this is a channel on the relay board: a whole number from 1 to {highest}, not {value!r}",
    ),
    "relays.need_port": (
        'cần tên cổng nối tiếp của bo rơ-le, ví dụ "/dev/ttyUSB0" (xem: ls /dev/ttyUSB*)',
        'the relay board\'s serial port is needed, e.g. "/dev/ttyUSB0" (see: ls /dev/ttyUSB*)',
    ),
    "relays.mock_pins": (
        "Máy này không có chân GPIO thật: dùng chân giả lập (MockFactory) của gpiozero; rơ-le không đóng cắt thiết bị nào.",
        "This machine has no real GPIO: using gpiozero's mock pins (MockFactory); no relay is really switched.",
    ),
    "relays.changed": ("{time}  rơ-le {name:<10} {state}", "{time}  relay {name:<10} {state}"),
    "relays.on": ("BẬT", "ON"),
    "relays.amplifier_name": ("âm ly", "amplifier"),
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
    "session.emergency_label": ("KHẨN CẤP ({reason})", "EMERGENCY ({reason})"),
    "session.cut": (
        "Cắt buổi đang phát '{session}' để phát {emergency}.",
        "Cutting the session on air '{session}' for {emergency}.",
    ),
    "session.cut_reason": (
        "bị cắt để phát {emergency}; không phát lại phần còn lại",
        "cut for {emergency}; the rest is not played again",
    ),
    "status.preempted": ("bị cắt (khẩn cấp)", "cut (emergency)"),
    "session.waiting": (
        "Đang có buổi phát khác ({other}); buổi này chờ đến lượt.",
        "Another session is on air ({other}); this one waits for its turn.",
    ),
    "session.started_late": (
        "bắt đầu muộn {seconds} giây vì phải chờ buổi phát '{other}' kết thúc",
        "started {seconds} s late because it waited for session '{other}' to finish",
    ),
    "session.someone": ("việc khác của hộp", "other work of the box"),
    "session.waited_too_long": (
        "không bắt đầu được trong {grace} giây cho phép vì phải chờ '{other}' kết thúc (trễ {seconds} giây)",
        "could not start within the allowed {grace} s because it waited for '{other}' to finish ({seconds} s late)",
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
    "session.clip_short": (
        "bài '{title}' chỉ phát được {played:.1f} giây trong {expected:.1f} giây: tệp âm thanh của bài bị cụt hoặc hỏng. Hãy nhập lại tệp gốc '{original}'.",
        "only {played:.1f} s of the {expected:.1f} s of clip '{title}' could be played: its audio file is cut short or damaged. Import the original file '{original}' again.",
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
    "session.preempted": ("  ■ buổi phát bị cắt: {error}", "  ■ session cut: {error}"),
    "session.missed": ("  ✘ bỏ lỡ: {error}", "  ✘ missed: {error}"),
    # --- session: relays (tiếp sóng), the line input and the microphone ---
    "session.no_source_settings": (
        "hộp chưa có cấu hình tiếp sóng ([relay], [live]) nên không tiếp sóng được",
        "the box has no relay settings ([relay], [live]), so it cannot relay",
    ),
    "session.relaying": (
        "  ⇄ đang tiếp sóng '{source}' ({seconds} giây)",
        "  ⇄ relaying '{source}' ({seconds} s)",
    ),
    "session.relayed": (
        "  ⇄ '{source}': đã phát {relayed}/{planned} giây, mất sóng {dropouts} lần ({dropout_seconds} giây)",
        "  ⇄ '{source}': {relayed}/{planned} s went out, {dropouts} drop-out(s) ({dropout_seconds} s)",
    ),
    "session.live_on": (
        "  ● micro đang lên sóng (tối đa {seconds} giây)",
        "  ● the microphone is on air (at most {seconds} s)",
    ),
    "session.live_off": (
        "  ● micro đã tắt sau {seconds} giây trên sóng",
        "  ● the microphone is off after {seconds} s on air",
    ),
    "session.relay_short": (
        "tiếp sóng '{source}' chỉ phát được {relayed} trong {planned} giây (cần ít nhất {percent}%); mất sóng {dropouts} lần, tổng {dropout_seconds} giây: {detail}",
        "relay of '{source}' put out only {relayed} of {planned} s (at least {percent}% needed); {dropouts} drop-out(s), {dropout_seconds} s in all: {detail}",
    ),
    "session.fallback_too_long": (
        "không phát bài dự phòng '{title}' ({seconds} giây) vì chỉ còn {left} giây của khung giờ",
        "fallback clip '{title}' ({seconds} s) was not played: only {left} s of the slot were left",
    ),
    "session.live_failed": (
        "không thu được âm thanh từ micro/đường vào: {detail}. Kiểm tra dây cắm và thiết bị thu (arecord -L)",
        "no sound from the microphone/line input: {detail}. Check the cable and the capture device (arecord -L)",
    ),
    "session.live_label": ("phát trực tiếp", "live"),
    "sources.program_missing": (
        "Không tìm thấy chương trình '{program}'. Cài đặt: sudo apt-get install ffmpeg alsa-utils",
        "The '{program}' program is missing. Install it: sudo apt-get install ffmpeg alsa-utils",
    ),
    "sources.refused": (
        "luồng đòi đọc tệp trên máy hoặc dùng giao thức/định dạng không được phép, đã từ chối: {detail}",
        "the stream asked to read a local file or to use a protocol/format that is not allowed, refused: {detail}",
    ),
    "sources.stalled": (
        "không nhận được âm thanh trong {seconds} giây",
        "no audio received for {seconds} s",
    ),
    "sources.silent": (
        "im lặng hơn {seconds} giây (đài ngừng phát?)",
        "silent for more than {seconds} s (is the station off the air?)",
    ),
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
    # --- provable log: the hash chain beside each month file (logbook/chain.py) ---
    "chain.verdict.ok": (
        "✔ Nhật ký toàn vẹn: chuỗi băm liền mạch (số tháng: {months}, số sự kiện: {events}).",
        "✔ The log is intact: the hash chain is unbroken (months: {months}, events: {events}).",
    ),
    "chain.verdict.recoverable": (
        "Nhật ký toàn vẹn, nhưng còn dấu vết mất điện cần khôi phục (số chỗ: {count}). Hộp tự khôi phục khi khởi động lại.",
        "The log is intact, but a power cut left traces to recover (places: {count}). The box recovers them when it starts again.",
    ),
    "chain.verdict.broken": (
        "✘ Nhật ký KHÔNG toàn vẹn. Chỗ hỏng đầu tiên: {problem}",
        "✘ The log is NOT intact. First break: {problem}",
    ),
    "chain.unchained": (
        "Các tháng {months} được ghi trước khi có chuỗi băm nên không kiểm chứng được.",
        "Months {months} were written before the hash chain existed and cannot be proven.",
    ),
    "chain.torn": (
        "{month}: dòng cuối của tệp chuỗi bị ghi dở ({bytes} byte, mất điện khi đang ghi). Dòng dở được bỏ đi; thay đổi của nó chưa từng vào nhật ký tháng.",
        "{month}: the last line of the chain file is incomplete ({bytes} bytes, a power cut while writing). The incomplete line is dropped; its change never reached the month file.",
    ),
    "chain.pending": (
        "{month}, sự kiện {seq} (mục {entry}): chưa có trong tệp nhật ký tháng (mất điện giữa hai lần ghi). Khi khởi động, hộp ghi bổ sung thay đổi này.",
        "{month}, event {seq} (entry {entry}): not yet in the month file (a power cut between two writes). At start-up the box writes this change.",
    ),
    "chain.adopted": (
        "{month}: nhật ký tháng được ghi trước khi có chuỗi băm; từ nay chuỗi chứng minh các mục hiện có (số mục: {entries}).",
        "{month}: the month was logged before the hash chain existed; from now on the chain proves the entries it holds (count: {entries}).",
    ),
    "chain.line_unreadable": (
        "{month}: dòng {line} của tệp chuỗi không đọc được ({detail}). Tệp chuỗi đã bị sửa hoặc hỏng.",
        "{month}: line {line} of the chain file cannot be read ({detail}). The chain file was edited or damaged.",
    ),
    "chain.line_malformed": (
        "{month}: dòng {line} của tệp chuỗi không phải một sự kiện hợp lệ (trường '{field}'). Tệp chuỗi đã bị sửa.",
        "{month}: line {line} of the chain file is not a valid event (field '{field}'). The chain file was edited.",
    ),
    "chain.not_canonical": (
        "{month}, sự kiện {seq}: dòng {line} không còn đúng dạng hộp đã ghi. Tệp chuỗi đã bị sửa tay.",
        "{month}, event {seq}: line {line} is no longer in the form the box wrote. The chain file was edited by hand.",
    ),
    "chain.bad_hash": (
        "{month}, sự kiện {seq}: mã băm không khớp với nội dung. Sự kiện đã bị sửa sau khi ghi.",
        "{month}, event {seq}: the hash does not match the content. The event was changed after it was written.",
    ),
    "chain.bad_seq": (
        "{month}, dòng {line} của tệp chuỗi: gặp sự kiện {seq} trong khi phải là sự kiện {expected}. Có sự kiện đã bị xoá, chèn thêm hoặc đổi chỗ.",
        "{month}, line {line} of the chain file: event {seq} where event {expected} should be. An event was deleted, inserted or moved.",
    ),
    "chain.bad_prev": (
        "{month}, sự kiện {seq}: không nối vào sự kiện {previous} ngay trước nó. Chuỗi đã bị cắt ghép.",
        "{month}, event {seq}: does not link to event {previous} just before it. The chain was spliced.",
    ),
    "chain.bad_link": (
        "{month}, sự kiện 1: không nối vào chuỗi của tháng nào trước đó. Nhật ký của tháng trước đã bị thay bằng bản cũ hoặc bị xoá.",
        "{month}, event 1: does not link to the chain of any earlier month. The log of the month before was replaced by an older copy or deleted.",
    ),
    "chain.bad_genesis": (
        "{month}, sự kiện 1: bắt đầu một chuỗi mới dù các tháng trước đã có chuỗi. Nhật ký tháng này đã bị làm lại.",
        "{month}, event 1: starts a new chain although earlier months are chained. This month's log was made anew.",
    ),
    "chain.add_twice": (
        "{month}, sự kiện {seq}: thêm mục {entry} lần thứ hai. Tệp chuỗi đã bị sửa.",
        "{month}, event {seq}: adds entry {entry} a second time. The chain file was edited.",
    ),
    "chain.update_unknown": (
        "{month}, sự kiện {seq}: sửa mục {entry} chưa từng được thêm. Tệp chuỗi đã bị sửa.",
        "{month}, event {seq}: changes entry {entry}, which was never added. The chain file was edited.",
    ),
    "chain.missing": (
        "{month}: có tệp nhật ký tháng nhưng không có tệp chuỗi '{file}'. Tệp chuỗi đã bị xoá.",
        "{month}: the month file is there but the chain file '{file}' is not. The chain file was deleted.",
    ),
    "chain.refused.gap": (
        "{month}: nhận được sự kiện {seq} trong khi mới có đến sự kiện {have}; chờ các sự kiện còn thiếu.",
        "{month}: received event {seq} while holding events up to {have}; waiting for the missing ones.",
    ),
    "chain.refused.conflict": (
        "{month}, sự kiện {seq}: khác với sự kiện cùng số đã lưu. Nhật ký của hộp đã bị viết lại.",
        "{month}, event {seq}: differs from the event with the same number already stored. The box's log was rewritten.",
    ),
    "month.unreadable": (
        "{month}: tệp nhật ký tháng không đọc được ({detail}).",
        "{month}: the month file cannot be read ({detail}).",
    ),
    "month.not_box_form": (
        "{month}: tệp nhật ký tháng không còn đúng dạng hộp đã ghi. Tệp đã bị sửa tay.",
        "{month}: the month file is no longer in the form the box wrote. It was edited by hand.",
    ),
    "month.out_of_order": (
        "{month}: mục {entry} đứng ở chỗ của mục {expected} trong tệp nhật ký tháng. Các mục đã bị đổi chỗ.",
        "{month}: entry {entry} stands where entry {expected} should be in the month file. Entries were moved.",
    ),
    "month.missing": (
        "{month}: không có tệp nhật ký tháng, trong khi chuỗi ghi {events} sự kiện. Tệp đã bị xoá.",
        "{month}: the month file is missing while the chain holds events (count: {events}). It was deleted.",
    ),
    "month.entry_missing": (
        "{month}, mục {entry}: có trong chuỗi nhưng không có trong tệp nhật ký tháng. Mục đã bị xoá.",
        "{month}, entry {entry}: in the chain but not in the month file. The entry was deleted.",
    ),
    "month.entry_extra": (
        "{month}, mục {entry}: có trong tệp nhật ký tháng nhưng chuỗi không ghi. Mục đã bị thêm vào.",
        "{month}, entry {entry}: in the month file but not in the chain. The entry was added.",
    ),
    "month.entry_differs": (
        "{month}, mục {entry}, trường '{field}': tệp nhật ký tháng ghi {found}, chuỗi ghi {expected}. Mục đã bị sửa hoặc tệp tháng bị thay bằng bản cũ.",
        "{month}, entry {entry}, field '{field}': the month file says {found}, the chain says {expected}. The entry was changed or the month file replaced by an older copy.",
    ),
    "anchor.rolled_back": (
        "{month}: nơi khác (tỉnh hoặc lần xuất trước) đã nhận đến sự kiện {seq}, nhưng chuỗi ở đây chỉ có {have} sự kiện. Nhật ký đã bị thay bằng bản cũ.",
        "{month}: elsewhere (the province or an earlier export) holds events up to {seq}, but this chain holds only {have}. The log was replaced by an older copy.",
    ),
    "anchor.rewritten": (
        "{month}, sự kiện {seq}: khác với sự kiện nơi khác (tỉnh hoặc lần xuất trước) đã nhận. Nhật ký đã bị viết lại.",
        "{month}, event {seq}: differs from the event held elsewhere (the province or an earlier export). The log was rewritten.",
    ),
    # --- province link: bulletins (link/bulletins.py, link/seen.py) ---
    "bulletin.refused.oversized": (
        "Từ chối bản tin: quá lớn ({size} byte, tối đa {limit} byte).",
        "Bulletin refused: too large ({size} bytes, at most {limit}).",
    ),
    "bulletin.refused.malformed": (
        "Từ chối bản tin: sai định dạng ở '{field}': {rule}.",
        "Bulletin refused: malformed at '{field}': {rule}.",
    ),
    "bulletin.refused.unsigned": (
        "Từ chối bản tin: không có chữ ký số.",
        "Bulletin refused: it is not signed.",
    ),
    "bulletin.refused.unknown_key": (
        "Từ chối bản tin: được ký bằng khoá {signer}, không phải khoá của tỉnh ghi trong loaxa.toml.",
        "Bulletin refused: signed with key {signer}, which is not a province key listed in loaxa.toml.",
    ),
    "bulletin.refused.bad_signature": (
        "Từ chối bản tin: chữ ký số không khớp (nội dung đã bị sửa sau khi ký).",
        "Bulletin refused: the signature does not match (the content was changed after signing).",
    ),
    "bulletin.refused.not_for_this_box": (
        "Từ chối bản tin: không gửi cho đài này ({box}).",
        "Bulletin refused: it is not addressed to this station ({box}).",
    ),
    "bulletin.refused.not_yet_valid": (
        "Từ chối bản tin: chưa đến thời gian hiệu lực ({valid_from}).",
        "Bulletin refused: not valid yet (from {valid_from}).",
    ),
    "bulletin.refused.expired": (
        "Từ chối bản tin: đã hết hiệu lực ({valid_until}).",
        "Bulletin refused: it expired ({valid_until}).",
    ),
    "bulletin.refused.replay": (
        "Từ chối bản tin '{id}': đã nhận bản tin này trước đó (bị gửi lại).",
        "Bulletin '{id}' refused: it was already received (a replay).",
    ),
    "bulletin.rule.json": (
        "không phải một đối tượng JSON hợp lệ ({detail})",
        "not a valid JSON object ({detail})",
    ),
    "bulletin.rule.unknown": (
        "có trường lạ '{name}' không thuộc định dạng bản tin phiên bản 1",
        "unknown field '{name}', not part of bulletin format version 1",
    ),
    "bulletin.rule.v": ("phải là 1 (phiên bản định dạng)", "must be 1 (the format version)"),
    "bulletin.rule.id": (
        "mã bản tin gồm 1–64 ký tự chữ không dấu, số, '.', '_' hoặc '-'",
        "the bulletin id is 1–64 characters of unaccented letters, digits, '.', '_' or '-'",
    ),
    "bulletin.rule.issuer": (
        "tên cơ quan gửi, 1–200 ký tự, không có ký tự điều khiển",
        "the issuing office, 1–200 characters, no control characters",
    ),
    "bulletin.rule.title": (
        "tiêu đề bản tin, 1–200 ký tự, không có ký tự điều khiển",
        "the bulletin title, 1–200 characters, no control characters",
    ),
    "bulletin.rule.tier": (
        'phải là "thuong", "uu-tien" hoặc "khan-cap"',
        'must be "thuong", "uu-tien" or "khan-cap"',
    ),
    "bulletin.rule.targets": (
        "\"all\" hoặc danh sách không trùng lặp gồm mã xã hoặc mã xã/mã trạm (chữ thường, số, '-')",
        "\"all\" or a list without repeats of commune codes or commune/station ids (lowercase letters, digits, '-')",
    ),
    "bulletin.rule.zones": (
        '"all" hoặc danh sách không trùng lặp tên vùng loa',
        '"all" or a list of loudspeaker zone names without repeats',
    ),
    "bulletin.rule.valid_from": (
        "thời điểm ISO 8601 có múi giờ, ví dụ 2026-09-05T06:00:00+07:00",
        "an ISO 8601 time with its offset, e.g. 2026-09-05T06:00:00+07:00",
    ),
    "bulletin.rule.valid_until": (
        "thời điểm ISO 8601 có múi giờ, ví dụ 2026-09-06T06:00:00+07:00",
        "an ISO 8601 time with its offset, e.g. 2026-09-06T06:00:00+07:00",
    ),
    "bulletin.rule.window": (
        "valid_until phải sau valid_from và không quá 92 ngày",
        "valid_until must come after valid_from, within 92 days",
    ),
    "bulletin.rule.times": (
        "danh sách giờ HH:MM tăng dần, không trùng lặp, tối đa 24, bắt buộc với bản tin thường và ưu tiên; bản tin khẩn cấp không có giờ vì phát ngay",
        "a list of HH:MM times in increasing order without repeats, at most 24, required for a normal or priority bulletin; an emergency bulletin has none, it airs at once",
    ),
    "bulletin.rule.repeat": ("số lần phát mỗi lượt, từ 1 đến 10", "plays per airing, from 1 to 10"),
    "bulletin.rule.content": (
        "một trong ba dạng: clip (kind, format, data), url (kind, url, sha256, bytes, format), text (kind, text, language)",
        "one of three forms: clip (kind, format, data), url (kind, url, sha256, bytes, format), text (kind, text, language)",
    ),
    "bulletin.rule.text": ("văn bản để đọc, không được rỗng", "the text to read aloud, not empty"),
    "bulletin.rule.language": (
        "mã ngôn ngữ 2–3 chữ thường, ví dụ vi, ede",
        "a language code of 2–3 lowercase letters, e.g. vi, ede",
    ),
    "bulletin.rule.format": (
        "một trong mp3, wav, ogg, opus, m4a, flac",
        "one of mp3, wav, ogg, opus, m4a, flac",
    ),
    "bulletin.rule.data": (
        "âm thanh mã hoá base64 chuẩn, không rỗng",
        "the audio in standard base64, not empty",
    ),
    "bulletin.rule.url": (
        "địa chỉ https:// đầy đủ, không chứa tên đăng nhập hay mật khẩu",
        "a full https:// address without a user name or password",
    ),
    "bulletin.rule.sha256": ("64 ký tự hex viết thường", "64 lowercase hex characters"),
    "bulletin.rule.bytes": (
        "kích thước tệp tính bằng byte, số nguyên dương",
        "the file size in bytes, a positive whole number",
    ),
    "bulletin.rule.signer": (
        "khoá công khai dạng base64 (32 byte, 44 ký tự)",
        "a public key in base64 (32 bytes, 44 characters)",
    ),
    "bulletin.cannot_sign": (
        "Không ký được bản tin: {problem}",
        "Cannot sign the bulletin: {problem}",
    ),
    "bulletin.bad_public_key": (
        "Khoá công khai của tỉnh không hợp lệ: phải là 44 ký tự base64 (32 byte) như lệnh 'loaxa province keys' in ra.",
        "The province's public key is not valid: it must be 44 base64 characters (32 bytes), as 'loaxa province keys' prints it.",
    ),
    "bulletin.bad_private_key": (
        "Khoá bí mật không hợp lệ: phải là 44 ký tự base64 (32 byte) như lệnh 'loaxa province keys' đã tạo.",
        "The private key is not valid: it must be 44 base64 characters (32 bytes), as 'loaxa province keys' made it.",
    ),
    "seen.unreadable": (
        "Không đọc được danh sách bản tin đã nhận '{path}' ({detail}); đã chuyển sang '{aside}' và bắt đầu danh sách mới. Một bản tin cũ còn hiệu lực có thể được nhận lại một lần.",
        "The list of bulletins already received '{path}' cannot be read ({detail}); it was moved to '{aside}' and a new list started. An old bulletin still valid may be taken once more.",
    ),
    # --- province link: the box's end (link/box/, config [link]) ---
    "link.not_configured": (
        "Chưa cấu hình nối với tỉnh: điền [link] broker, commune_code, station_id và province_keys trong loaxa.toml.",
        "The province link is not configured: fill in [link] broker, commune_code, station_id and province_keys in loaxa.toml.",
    ),
    "link.bad_broker": (
        "'{value}' không phải tên hoặc địa chỉ máy chủ (viết như mqtt.tinh.gov.vn hoặc 203.0.113.7, không có mqtts:// hay /)",
        "'{value}' is not a broker name or address (write mqtt.tinh.gov.vn or 203.0.113.7, without mqtts:// or /)",
    ),
    "link.needs_ca": (
        "cần tệp chứng chỉ ca.crt của tỉnh khi dùng TLS",
        "the province's ca.crt is needed with TLS",
    ),
    "link.needs_password": (
        "cần tệp chứa mật khẩu tài khoản MQTT",
        "a file holding the MQTT account's password is needed",
    ),
    "link.bad_name": (
        "'{value}' phải gồm 1–32 chữ thường không dấu, số hoặc '-' (như tài khoản tỉnh cấp, ví dụ 19543 và tram-1)",
        "'{value}' must be 1–32 lowercase unaccented letters, digits or '-' (as in the account the province made, e.g. 19543 and tram-1)",
    ),
    "link.needs_name": (
        "bắt buộc khi có broker: mã xã và mã trạm là tên tài khoản của hộp trên máy chủ của tỉnh",
        "required with a broker: the commune code and station id are the box's account on the province broker",
    ),
    "link.needs_keys": (
        "bắt buộc khi có broker: hộp chỉ nhận bản tin có chữ ký bằng khoá của tỉnh",
        "required with a broker: the box takes only bulletins signed with a province key",
    ),
    "link.password_unreadable": (
        "Không đọc được mật khẩu MQTT trong '{path}' ({detail}). Ghi mật khẩu tỉnh cấp vào tệp này (chỉ root và loaxa đọc được).",
        "Cannot read the MQTT password in '{path}' ({detail}). Write the password the province gave into this file (readable by root and loaxa only).",
    ),
    "link.ca_missing": (
        "Không có tệp chứng chỉ của tỉnh '{path}'. Chép ca.crt của máy chủ tỉnh vào đây.",
        "The province's certificate '{path}' is missing. Copy the province broker's ca.crt there.",
    ),
    "link.started": (
        "Đang nối với tỉnh: hộp {box}, máy chủ {broker}:{port}.",
        "Linking to the province: box {box}, broker {broker}:{port}.",
    ),
    "link.connect_refused": (
        "Máy chủ {broker} từ chối kết nối: {reason}. Kiểm tra tên tài khoản, mật khẩu và chứng chỉ.",
        "Broker {broker} refused the connection: {reason}. Check the account, the password and the certificate.",
    ),
    "link.bad_message": (
        "Bỏ qua một tin không đọc được trên '{topic}': {detail}.",
        "A message on '{topic}' could not be read and was dropped: {detail}.",
    ),
    "link.cursor_unreadable": (
        "Không đọc được '{path}' (tỉnh đã nhận đến đâu): {detail}. Hộp gửi lại nhật ký từ đầu; tỉnh không lưu trùng.",
        "Cannot read '{path}' (how far the province has the log): {detail}. The box sends the log again from the start; the province keeps no duplicates.",
    ),
    "link.state_unreadable": (
        "Không đọc được '{path}' (bản tin đang chờ phát): {detail}.",
        "Cannot read '{path}' (bulletins waiting to air): {detail}.",
    ),
    "link.province_ahead": (
        "{month}: tỉnh đã nhận đến sự kiện {seq}, nhiều hơn nhật ký của hộp đang có. Nhật ký của hộp đã bị thay bằng bản cũ.",
        "{month}: the province holds events up to {seq}, more than this box's log holds. The box's log was replaced by an older copy.",
    ),
    "link.province_differs": (
        "{month}, sự kiện {seq}: tỉnh giữ một sự kiện khác với nhật ký của hộp. Nhật ký của hộp đã bị viết lại.",
        "{month}, event {seq}: the province holds a different event than this box's log. The box's log was rewritten.",
    ),
    "link.province_refused": (
        "{month}: tỉnh không nhận nhật ký của hộp: {detail}",
        "{month}: the province refused the box's log: {detail}",
    ),
    "link.bulletin_received": (
        "Nhận bản tin {tier} '{title}' ({id}) của {issuer}.",
        "Received the {tier} bulletin '{title}' ({id}) from {issuer}.",
    ),
    "link.bulletin_scheduled": (
        "Bản tin {id} đã vào lịch phát: tệp {file}, từ {first} đến {last}.",
        "Bulletin {id} is scheduled: file {file}, from {first} to {last}.",
    ),
    "link.tier.thuong": ("thông thường", "normal"),
    "link.tier.uu-tien": ("ưu tiên", "priority"),
    "link.tier.khan-cap": ("khẩn cấp", "emergency"),
    "link.window_too_short": (
        "Không có ngày nào mà mọi giờ phát của bản tin đều nằm trọn trong thời gian hiệu lực.",
        "There is no day on which every airing time of the bulletin fits inside its validity window.",
    ),
    "link.download_failed": (
        "Không tải được bài của bản tin từ {url}: {detail}.",
        "Cannot download the bulletin's clip from {url}: {detail}.",
    ),
    "link.download_too_big": (
        "Bài tải từ {url} lớn hơn {bytes} byte bản tin khai báo.",
        "The clip downloaded from {url} is larger than the {bytes} bytes the bulletin states.",
    ),
    "link.download_mismatch": (
        "Bài tải từ {url} không khớp kích thước hoặc mã sha256 ghi trong bản tin đã ký.",
        "The clip downloaded from {url} does not match the size or sha256 in the signed bulletin.",
    ),
    # --- province link: the province's end (link/province/, config [province]) ---
    "province.not_configured": (
        "Chưa cấu hình máy của tỉnh: điền [province] broker và password_file trong loaxa.toml.",
        "The province machine is not configured: fill in [province] broker and password_file in loaxa.toml.",
    ),
    "province.serving": (
        "Đang nhận nhật ký của các hộp: máy chủ {broker}:{port}, lưu tại {store}.",
        "Collecting the boxes' logs: broker {broker}:{port}, stored in {store}.",
    ),
    "province.outbox_bad": (
        "Bản tin chờ gửi '{file}' không đọc được ({detail}); đã để sang một bên.",
        "The waiting bulletin '{file}' cannot be read ({detail}); it was set aside.",
    ),
    "province.box_rolled_back": (
        "{month}: hộp nay chỉ còn {have} sự kiện trong khi đã gửi tỉnh {seq}. Nhật ký của hộp đã bị thay bằng bản cũ.",
        "{month}: the box now holds {have} events while it sent the province {seq}. The box's log was replaced by an older copy.",
    ),
    "province.box_says_broken": (
        "hộp tự kiểm tra thấy nhật ký không toàn vẹn: {problem}",
        "the box's own check finds its log broken: {problem}",
    ),
    "province.store_broken": (
        "bản lưu tại tỉnh không toàn vẹn: {problem}",
        "the province's copy is broken: {problem}",
    ),
    "province.not_heard_since": (
        "chưa nhận tin của hộp từ sau khi hết tháng ({end})",
        "nothing heard from the box since the month ended ({end})",
    ),
    "province.events_missing": (
        "hộp còn sự kiện chưa gửi lên (số sự kiện: {count})",
        "the box has events not yet received (count: {count})",
    ),
    "province.incomplete": (
        "{commune}, trạm {station} ({box}) (*): số liệu tháng chưa đủ: {reasons}.",
        "{commune}, station {station} ({box}) (*): the month's figures are incomplete: {reasons}.",
    ),
    "province.no_boxes": (
        "Chưa có hộp nào trong '{store}'. Hãy chạy 'loaxa province serve' và chờ các hộp gửi nhật ký.",
        "No box in '{store}' yet. Run 'loaxa province serve' and wait for the boxes to send their logs.",
    ),
    "province.no_boxes_yet": (
        "Chưa có hộp nào gửi tin về.",
        "No box has reported yet.",
    ),
    "province.key_exists": (
        "Đã có khoá bí mật '{path}': không ghi đè (các hộp đang tin khoá này). Dùng --show để in lại khoá công khai.",
        "The private key '{path}' exists: it is not overwritten (the boxes trust it). Use --show to print its public key again.",
    ),
    "province.key_unwritable": (
        "Không ghi được khoá bí mật '{path}': {detail}.",
        "Cannot write the private key '{path}': {detail}.",
    ),
    "province.key_unreadable": (
        "Không đọc được khoá bí mật '{path}': {detail}. Tạo khoá bằng 'loaxa province keys'.",
        "Cannot read the private key '{path}': {detail}. Make one with 'loaxa province keys'.",
    ),
    "province.keys_made": (
        "Đã tạo khoá bí mật '{path}' (chỉ ở máy này, không chép đi đâu). Khoá công khai bên dưới ghi vào [link] province_keys của mọi hộp:",
        "Private key '{path}' made (it stays on this machine, never copy it). The public key below goes into every box's [link] province_keys:",
    ),
    "province.no_audio": (
        "Bản tin cần một bài: --clip TỆP (có thể kèm --url) hoặc --text \"…\".",
        "A bulletin needs audio: --clip FILE (optionally with --url) or --text \"…\".",
    ),
    "province.clip_or_text": (
        "Chọn một trong hai: --clip TỆP hoặc --text \"…\".",
        "Give one of the two: --clip FILE or --text \"…\".",
    ),
    "province.bad_format": (
        "Tệp '{file}' không thuộc các dạng bản tin nhận: {formats}.",
        "File '{file}' is not one of the formats a bulletin carries: {formats}.",
    ),
    "province.no_box": (
        "Không có hộp nào của {targets} từng gửi tin về tỉnh: chưa gửi được bản tin riêng cho họ.",
        "No box of {targets} has ever reported to the province: a bulletin for them alone cannot be sent yet.",
    ),
    "province.id_used": (
        "Mã bản tin '{id}' đã dùng. Mỗi bản tin một mã (hộp từ chối mã đã nhận).",
        "Bulletin id '{id}' is already used. One id per bulletin (boxes refuse an id they have seen).",
    ),
    "province.target_unknown": (
        "{target}: chưa có hộp nào như vậy gửi tin về tỉnh.",
        "{target}: no such box has reported to the province yet.",
    ),
    "province.sent": (
        "Đã ký và gửi bản tin {id} (số chủ đề: {boxes}). Xem hộp nhận chưa: loaxa province status --json.",
        "Bulletin {id} signed and sent (topics: {boxes}). See what the boxes say: loaxa province status --json.",
    ),
    "province.spooled": (
        "Đã ký bản tin {id} (số chủ đề: {boxes}); đang chờ 'loaxa province serve' gửi đi.",
        "Bulletin {id} is signed (topics: {boxes}); waiting for 'loaxa province serve' to send it.",
    ),
    "col.commune": ("Xã", "Commune"),
    "col.station": ("Trạm", "Station"),
    "col.online": ("Trực tuyến", "Online"),
    "col.last_seen": ("Tin cuối", "Last seen"),
    "col.last_broadcast": ("Phát cuối", "Last broadcast"),
    "col.missed_week": ("Bỏ lỡ (tuần)", "Missed (week)"),
    "col.failed_week": ("Lỗi (tuần)", "Failed (week)"),
    "col.clock_untrusted": ("Giờ sai?", "Clock untrusted"),
    "col.chain_verified": ("Nhật ký toàn vẹn", "Log proven"),
    "word.yes": ("có", "yes"),
    "word.no": ("không", "no"),
    "cli.help.verify": (
        "kiểm tra nhật ký phát có bị sửa không (chuỗi băm)",
        "check that the playback log was not altered (hash chain)",
    ),
    "cli.help.link": ("nối với tỉnh qua MQTT (chạy như dịch vụ)", "the province link over MQTT (runs as a service)"),
    "cli.help.province": ("máy của tỉnh: nhận nhật ký, trạng thái, báo cáo, gửi bản tin", "the province's machine: collect, status, report, send"),
    "cli.help.province_serve": ("nhận nhật ký và trạng thái của mọi hộp (chạy như dịch vụ)", "collect every box's log and status (runs as a service)"),
    "cli.help.province_status": ("mỗi hộp một dòng: trực tuyến, tin cuối, buổi bỏ lỡ…", "one row per box: online, last seen, missed sessions…"),
    "cli.help.province_verify": ("kiểm tra cả bản lưu tại tỉnh từ đĩa (chậm)", "also check the province's copy from disk (slow)"),
    "cli.help.province_report": ("báo cáo tháng của tỉnh từ nhật ký đã nhận", "the province's month report from the logs received"),
    "cli.help.province_send": ("ký và gửi một bản tin xuống các hộp", "sign and send a bulletin to the boxes"),
    "cli.help.province_keys": ("tạo cặp khoá ký bản tin, in khoá công khai cho các hộp", "make the signing key pair, print the public key for the boxes"),
    "cli.help.send_clip": ("tệp âm thanh (mp3, wav, ogg, opus, m4a, flac; gửi kèm tối đa 2 MiB)", "audio file (mp3, wav, ogg, opus, m4a, flac; embedded up to 2 MiB)"),
    "cli.help.send_url": ("địa chỉ https nơi để tệp --clip; hộp tự tải và kiểm tra", "https address where the --clip file is published; boxes fetch and check it"),
    "cli.help.send_text": ("văn bản để hộp đọc thành bài", "text the boxes read aloud"),
    "cli.help.send_wait": ("chờ tối đa ... giây cho đến khi bản tin được gửi đi", "wait up to ... seconds for the bulletin to go out"),
    "cli.help.keys_out": ("nơi ghi khoá bí mật (mặc định [province] private_key_file)", "where the private key goes (default [province] private_key_file)"),
    "cli.help.keys_show": ("in lại khoá công khai của khoá đã có", "print the public key of the existing key again"),
    # --- daemon ---
    "clock.synchronised": ("đồng hồ đã đồng bộ qua mạng (NTP)", "the clock is synchronised (NTP)"),
    "clock.confirmed": (
        "cán bộ đã xác nhận giờ trong lần khởi động này",
        "the operator confirmed the time this boot",
    ),
    "clock.plausible": (
        "giờ hợp lý: không sớm hơn lần cuối hộp còn chạy và ngày phát hành phần mềm",
        "the time is plausible: not earlier than the box last ran, nor than the software's release",
    ),
    "clock.before_release": (
        "đồng hồ chỉ {now}, sớm hơn ngày phát hành phần mềm ({release}): chắc chắn sai",
        "the clock says {now}, before this software's release ({release}): certainly wrong",
    ),
    "clock.before_log": (
        "đồng hồ chỉ {now}, sớm hơn lần cuối hộp còn chạy ({seen}): giờ đã bị lùi",
        "the clock says {now}, earlier than the box last ran ({seen}): it went backwards",
    ),
    "clock.trusted": ("Đồng hồ đáng tin: {reason}.", "The clock is trusted: {reason}."),
    "clock.untrusted": (
        "ĐỒNG HỒ CHƯA ĐÁNG TIN: {reason}. Hộp không phát theo lịch cho đến khi đồng bộ được giờ qua mạng hoặc cán bộ xác nhận giờ: loaxa clock confirm",
        "THE CLOCK IS NOT TRUSTED: {reason}. No scheduled broadcast until it synchronises or the operator confirms the time: loaxa clock confirm",
    ),
    "clock.missed_untrusted": (
        "không phát vì đồng hồ chưa đáng tin ({reason})",
        "not played: the clock was not trusted ({reason})",
    ),
    "clock.jumped": (
        "Đồng hồ vừa nhảy {seconds} giây (giờ hiện tại {now}).",
        "The clock jumped {seconds} s (now {now}).",
    ),
    "clock.catching_up": (
        "Phát bù khung giờ '{slot}' lúc {time} vừa bị lỡ.",
        "Catching up the missed slot '{slot}' of {time}.",
    ),
    "daemon.started": (
        "Loa Xã đang chạy: {sessions} trong 26 giờ tới. Buổi kế tiếp: {next}",
        "Loa Xã is running: {sessions} in the next 26 hours. Next: {next}",
    ),
    "daemon.status": ("{sessions} trong 26 giờ tới", "{sessions} in the next 26 hours"),
    "daemon.nothing_planned": ("không có buổi nào", "none"),
    "daemon.stopping": ("Đang dừng Loa Xã…", "Stopping Loa Xã…"),
    "daemon.schedules_unreadable": (
        "Không đọc được thư mục lịch phát: {detail}",
        "Cannot read the schedules folder: {detail}",
    ),
    "daemon.kept_last_good": (
        "Tệp lịch '{file}' có lỗi nên bị từ chối; hộp tiếp tục dùng bản đúng trước đó của tệp này (lưu lúc {saved}) cho đến khi tệp được sửa.",
        "Schedule '{file}' has errors and was refused; the box keeps running its last good version (saved {saved}) until the file is fixed.",
    ),
    "daemon.refused": (
        "Tệp lịch '{file}' có lỗi nên chưa được dùng. Sửa lỗi theo các dòng trên rồi lưu lại.",
        "Schedule '{file}' has errors and is not used. Fix the lines above and save it again.",
    ),
    # --- daemon: schedule reloads, last good versions, late sessions ---
    "daemon.awaiting": (
        "Lịch {file}: {status} — không phát cho đến khi được duyệt.",
        "Schedule {file}: {status} — not airing until approved.",
    ),
    "daemon.last_good_refused": (
        "Tệp lịch '{file}' có lỗi, và bản đúng trước đó của tệp này cũng không dùng được nữa ({reason}); tệp này không phát gì cho đến khi được sửa.",
        "Schedule '{file}' has errors, and its last good version cannot run either ({reason}); nothing of this file plays until it is fixed.",
    ),
    "daemon.last_good_not_saved": (
        "Không lưu được bản đúng của tệp lịch '{file}' ({detail}); nếu hộp khởi động lại khi tệp này có lỗi, tệp sẽ không phát. Kiểm tra thẻ nhớ.",
        "Could not keep the good version of schedule '{file}' ({detail}); should the box restart while this file has errors, it will not play. Check the SD card.",
    ),
    "daemon.reload_failed": (
        "Không kiểm tra được các tệp lịch ({detail}); hộp tiếp tục chạy lịch đang có. Hãy báo kỹ thuật viên.",
        "Could not check the schedule files ({detail}); the box keeps running what it has. Tell the technician.",
    ),
    "daemon.control_failed": (
        "Không mở được cổng điều khiển của hộp ({detail}); hộp vẫn phát theo lịch, nhưng màn hình điều khiển và tỉnh không ra lệnh được.",
        "Could not open the box's control socket ({detail}); the box still broadcasts its schedule, but the panel and the province cannot give orders.",
    ),
    "daemon.reloaded": (
        "Đã đọc lại lịch phát: {files}, {sessions} trong 26 giờ tới.",
        "Schedules reloaded: {files}, {sessions} in the next 26 hours.",
    ),
    "daemon.missed_superseded": (
        "đã trễ giờ khi hộp khởi động lại (hoặc khi đồng hồ vừa nhảy) và buổi '{slot}' lúc {time} mới hơn được phát thay; các buổi trễ không phát dồn liền nhau",
        "it was already late when the box started (or the clock jumped) and the later session '{slot}' of {time} plays instead; late sessions are not played back to back",
    ),
    "count.schedule_file.one": ("{n} tệp lịch", "{n} schedule file"),
    "count.schedule_file.other": ("{n} tệp lịch", "{n} schedule files"),
    "count.session.one": ("{n} buổi phát", "{n} session"),
    "count.session.other": ("{n} buổi phát", "{n} sessions"),
    "count.error.one": ("{n} lỗi", "{n} error"),
    "count.error.other": ("{n} lỗi", "{n} errors"),
    "daemon.missed": (
        "BỎ LỠ buổi phát {time} ({campaign} / {slot}): {reason}",
        "MISSED the session of {time} ({campaign} / {slot}): {reason}",
    ),
    "daemon.missed_late": (
        "đến giờ mà không bắt đầu được trong {grace} giây cho phép (trễ {seconds} giây)",
        "could not start within the allowed {grace} s (it was {seconds} s late)",
    ),
    "daemon.missed_off": (
        "hộp bị tắt, mất điện hoặc đồng hồ chưa đáng tin (hoạt động lần cuối lúc {since})",
        "the box was off, without power, or its clock was not trusted (last alive at {since})",
    ),
    # --- report ---
    "report.bad_month": (
        "'{month}' không phải là tháng; hãy viết YYYY-MM, ví dụ 2024-09.",
        "'{month}' is not a month; write YYYY-MM, e.g. 2024-09.",
    ),
    "report.bad_format": (
        "Không có định dạng báo cáo '{fmt}'. Chọn một trong: {formats}.",
        "There is no report format '{fmt}'. Choose one of: {formats}.",
    ),
    "report.unknown_campaign": (
        "Nhật ký tháng {month} không có chiến dịch '{campaign}'. Các chiến dịch có trong tháng: {known}. Kiểm tra lại tên (chép đúng như trong tệp lịch).",
        "The log of {month} has no campaign '{campaign}'. Campaigns in that month: {known}. Check the name (copy it from the schedule file).",
    ),
    "report.write_failed": (
        "Không ghi được tệp báo cáo '{path}': {detail}. Kiểm tra USB/thẻ nhớ còn chỗ trống và không bị khoá ghi.",
        "Cannot write the report file '{path}': {detail}. Check that the USB stick/SD card has free space and is not write-protected.",
    ),
    "report.merge_nothing": (
        "Không tìm thấy báo cáo tháng nào (tệp JSON dạng {format}) trong: {paths}. Chép các tệp .json do các xã xuất vào một thư mục rồi chạy lại.",
        "No month report (JSON file of format {format}) found in: {paths}. Put the .json files exported by the communes in one folder and run again.",
    ),
    "report.merge_unreadable": (
        "Không đọc được tệp '{file}': {detail}. Tệp có thể bị hỏng khi chép; xin xã gửi lại.",
        "Cannot read '{file}': {detail}. The file may have been damaged while copying; ask the commune to send it again.",
    ),
    "report.merge_skipped": (
        "Bỏ qua tệp '{file}' vì không đọc được ({detail}).",
        "Skipped '{file}': it cannot be read ({detail}).",
    ),
    "report.merge_not_export": (
        "Tệp '{file}' không phải báo cáo tháng của Loa Xã (cần tệp JSON dạng {format}, xuất bằng định dạng json).",
        "'{file}' is not a Loa Xã month report (expected a JSON file of format {format}, exported as json).",
    ),
    "report.merge_bad_export": (
        "Tệp báo cáo '{file}' thiếu hoặc sai mục '{detail}'. Xin xã xuất lại báo cáo tháng.",
        "The report '{file}' has a missing or wrong '{detail}'. Ask the commune to export its month report again.",
    ),
    "report.merge_mixed_months": (
        "Các báo cáo thuộc nhiều tháng khác nhau ({months}): {detail}. Chỉ gộp báo cáo của cùng một tháng, hoặc cho phép gộp nhiều tháng.",
        "The reports are for different months ({months}): {detail}. Merge reports of one month only, or allow mixed months.",
    ),
    "report.merge_duplicate": (
        "Cùng một trạm có hai báo cáo với số liệu khác nhau, không thể cộng: {detail}. Giữ lại một tệp (bản mới nhất) cho mỗi trạm rồi gộp lại; nếu đó là hai hộp khác nhau của một xã, đặt cho mỗi hộp một tên trạm riêng ([commune] station) rồi xuất lại báo cáo.",
        "The same station has two reports with different figures, which cannot be added up: {detail}. Keep one file (the latest) per station and merge again; if they are two boxes of one commune, give each box its own [commune] station and export the reports again.",
    ),
    "report.merge_identical": (
        "{commune} có hai tệp giống hệt nhau ({files}); chỉ tính một lần.",
        "{commune} has identical files ({files}); counted once.",
    ),
    # an export from a box older than the breakdowns (by_tier, by_language, by_form)
    "report.merge_old_export": (
        "{station}: tệp {file} do phiên bản Loa Xã cũ lập, không có số liệu {missing}; "
        "trong bảng tổng hợp, các số liệu đó của trạm này được tính là 0. Lập lại báo cáo "
        "tháng trên hộp sau khi cập nhật để có đủ.",
        "{station}: {file} was made by an older Loa Xã and has no {missing} figures; the "
        "merged table counts them as 0 for this station. Make the month's report again on "
        "the box once it is updated to have them all.",
    ),
    "report.merge_mixed_campaigns": (
        "Các xã báo cáo nội dung khác nhau ({values}); số liệu cộng lại không cùng phạm vi.",
        "The communes reported different scopes ({values}); the totals mix them.",
    ),
    "report.merge_mixed_provinces": (
        "Các báo cáo thuộc nhiều tỉnh khác nhau: {values}.",
        "The reports come from different provinces: {values}.",
    ),
    # --- usb ---
    "usb.started": ("Bắt đầu đồng bộ USB '{path}'.", "USB sync of '{path}' started."),
    "usb.not_a_folder": (
        "'{path}' không phải là thư mục của một USB. Kiểm tra USB đã được cắm và đã mở (mount) chưa.",
        "'{path}' is not the folder of a USB stick. Check that the stick is plugged in and mounted.",
    ),
    "usb.stick_gone": (
        "USB bị rút ra (hoặc bị lỗi) trong lúc hộp đang chép ({detail}). Dữ liệu trong hộp không bị ảnh hưởng. Hãy cắm lại USB và chờ đèn báo xong rồi mới rút.",
        "The USB stick was pulled out (or failed) while the box was copying ({detail}). The box's data is not affected. Plug the stick in again and wait for the done signal before pulling it out.",
    ),
    "usb.read_only": (
        "USB đang bị khoá chống ghi (chỉ đọc) nên không chép được báo cáo và biên nhận lên USB. Bài và lịch trên USB vẫn được nhập. Gạt khoá trên USB sang vị trí mở (hoặc dùng USB khác) rồi cắm lại để lấy báo cáo.",
        "The USB stick is write-protected (read-only), so no report or receipt could be copied onto it. Clips and schedules on it were still imported. Slide the stick's lock to unlocked (or use another stick) and plug it in again to get the reports.",
    ),
    "usb.full": (
        "USB đã đầy, không chép hết được báo cáo. Xoá bớt tệp không cần trên USB rồi cắm lại.",
        "The USB stick is full; not all reports could be copied. Delete files you do not need from the stick and plug it in again.",
    ),
    "usb.write_failed": (
        "Không ghi được lên USB ({detail}). Thử cắm lại; nếu vẫn lỗi, hãy dùng USB khác (định dạng FAT32 hoặc exFAT).",
        "Could not write to the USB stick ({detail}). Plug it in again; if it still fails, use another stick (formatted FAT32 or exFAT).",
    ),
    "usb.export_link": (
        "Thư mục '{folder}' trên USB là một lối tắt (liên kết) trỏ ra chỗ khác nên hộp không chép gì vào đó. Xoá lối tắt này trên máy tính rồi cắm lại USB.",
        "The folder '{folder}' on the stick is a shortcut (link) pointing elsewhere, so the box copied nothing into it. Delete the link on a computer and plug the stick in again.",
    ),
    "usb.report_failed": (
        "Không lập được báo cáo tháng {month} ({detail}). Gửi biên nhận này cho kỹ thuật viên.",
        "Could not make the report for {month} ({detail}). Send this receipt to the technician.",
    ),
    "usb.folder_is_link": (
        "Thư mục '{folder}' trên USB là một lối tắt (liên kết) trỏ ra chỗ khác; hộp không đi theo lối tắt nên không nhập gì. Hãy tạo một thư mục thật tên '{folder}' và chép tệp vào đó.",
        "The folder '{folder}' on the stick is a shortcut (link) pointing elsewhere; the box never follows links, so nothing was imported. Create a real folder named '{folder}' and copy the files into it.",
    ),
    "usb.no_import_folder": (
        "Trên USB chưa có thư mục '{folder}'. Muốn nhập bài hoặc lịch phát, hãy chép tệp vào thư mục đó rồi cắm lại USB.",
        "The stick has no folder '{folder}'. To import clips or schedules, copy the files into that folder and plug the stick in again.",
    ),
    "usb.nothing_to_import": (
        "Thư mục '{folder}' trên USB đang trống, không có gì để nhập.",
        "The folder '{folder}' on the stick is empty; there was nothing to import.",
    ),
    "usb.unreadable_folder": (
        "Không đọc được thư mục '{folder}' trên USB ({detail}). Kiểm tra USB trên máy tính.",
        "Cannot read the folder '{folder}' on the stick ({detail}). Check the stick on a computer.",
    ),
    "usb.unreadable": (
        "không đọc được tệp ({detail}); hãy chép lại tệp vào USB",
        "the file cannot be read ({detail}); copy it onto the stick again",
    ),
    "usb.symlink": (
        "đây là lối tắt (liên kết) trỏ ra chỗ khác; hộp không đi theo lối tắt. Hãy chép chính tệp đó vào thư mục '{folder}'",
        "this is a shortcut (link) pointing elsewhere; the box never follows links. Copy the file itself into the folder '{folder}'",
    ),
    "usb.unsafe_name": (
        "tên tệp có ký tự không được phép (dấu / hoặc \\, '..' hay ký tự điều khiển); hãy đổi tên tệp cho đơn giản rồi chép lại",
        "the file name contains characters that are not allowed (/ or \\, '..' or control characters); rename the file simply and copy it again",
    ),
    "usb.hidden": (
        "bỏ qua: đây là tệp ẩn (tên bắt đầu bằng dấu chấm); đổi tên tệp nếu muốn nhập",
        "skipped: a hidden file (its name starts with a dot); rename it to import it",
    ),
    "usb.subfolder": (
        "đây là thư mục con nên bị bỏ qua; hộp chỉ nhập các tệp nằm ngay trong thư mục '{folder}'",
        "this is a subfolder and was skipped; the box only imports files directly inside '{folder}'",
    ),
    "usb.not_a_file": (
        "không phải là tệp bình thường nên không được đọc",
        "not an ordinary file, so it was not read",
    ),
    "usb.too_big": (
        "tệp quá lớn ({megabytes} MB, tối đa {maximum} MB) nên không được đọc; một bài phát dài 30 phút dạng MP3 chỉ khoảng 40 MB. Hãy xuất lại tệp dạng MP3",
        "the file is too big ({megabytes} MB, at most {maximum} MB) and was not read; a 30-minute MP3 is only about 40 MB. Export it again as MP3",
    ),
    "usb.schedule_too_big": (
        "tệp lịch quá lớn ({kilobytes} KB) nên không được đọc; tệp lịch thật chỉ vài KB. Kiểm tra lại đúng tệp chưa",
        "the schedule file is too big ({kilobytes} KB) and was not read; a real schedule is a few KB. Check that it is the right file",
    ),
    "usb.ignored_type": (
        "bỏ qua: không phải tệp âm thanh (MP3, WAV, M4A, OGG, FLAC) hay tệp lịch (.toml). Hộp không bao giờ chạy chương trình từ USB",
        "skipped: not an audio file (MP3, WAV, M4A, OGG, FLAC) nor a schedule (.toml). The box never runs programs from a stick",
    ),
    "usb.would_import": (
        "'{name}' sẽ được nhập (chạy thử).",
        "'{name}' would be imported (dry run).",
    ),
    "usb.would_install": (
        "Lịch '{name}' hợp lệ và sẽ được đưa vào hộp (chạy thử).",
        "Schedule '{name}' is valid and would be installed (dry run).",
    ),
    "usb.clip_imported": (
        "Bài '{name}': đã nhập với mã {id} (\"{title}\", {duration}). Dùng mã {id} trong lịch phát.",
        "Clip '{name}': imported as {id} (\"{title}\", {duration}). Use {id} in schedules.",
    ),
    "usb.schedule_installed": (
        "Lịch '{name}': hợp lệ, đã đưa vào hộp; hộp tự áp dụng trong vòng {seconds} giây.",
        "Schedule '{name}': valid and installed; the box applies it within {seconds} seconds.",
    ),
    "usb.schedule_awaits": (
        "{status}: lịch này chỉ được phát sau khi lãnh đạo xã duyệt (loaxa schedule approve).",
        "{status}: this schedule airs only once the commune leadership approves it (loaxa schedule approve).",
    ),
    "usb.plan_waiting": (
        "✋ {file}: {status} — chưa được phát.",
        "✋ {file}: {status} — not airing.",
    ),
    "usb.schedule_same": (
        "Lịch '{name}' giống hệt lịch đang chạy trong hộp; không có gì thay đổi.",
        "Schedule '{name}' is identical to the one the box runs; nothing changed.",
    ),
    "usb.schedule_refused": (
        "Lịch '{name}' bị từ chối, hộp vẫn chạy theo lịch cũ. Sửa các lỗi sau rồi chép lại:",
        "Schedule '{name}' was refused; the box keeps its current schedule. Fix these errors and copy it again:",
    ),
    "usb.schedule_twice": (
        "trùng tên với tệp lịch '{other}' trên cùng USB; chỉ giữ một tệp cho mỗi chiến dịch",
        "has the same name as the schedule '{other}' on the same stick; keep one file per campaign",
    ),
    "usb.schedule_not_saved": (
        "Lịch '{name}' hợp lệ nhưng không lưu được vào hộp ({detail}); hộp vẫn chạy theo lịch cũ. Gọi kỹ thuật viên.",
        "Schedule '{name}' is valid but could not be saved on the box ({detail}); the box keeps its current schedule. Call the technician.",
    ),
    "usb.receipt_title": ("LOA XÃ — BIÊN NHẬN USB", "LOA XÃ — USB RECEIPT"),
    "usb.receipt_time": ("Thời gian: {time}", "Time: {time}"),
    "usb.dry_run": (
        "(CHẠY THỬ: không chép, không nhập gì)",
        "(DRY RUN: nothing copied, nothing imported)",
    ),
    "usb.section_exported": (
        "1. ĐÃ CHÉP RA USB (thư mục {folder})",
        "1. COPIED ONTO THE STICK (folder {folder})",
    ),
    "usb.nothing_exported": ("Không chép được tệp nào.", "Nothing was copied."),
    "usb.section_imported": (
        "2. ĐÃ NHẬP VÀO HỘP (từ thư mục {folder})",
        "2. IMPORTED INTO THE BOX (from folder {folder})",
    ),
    "usb.nothing_imported": ("Không có bài hay lịch mới.", "No new clip or schedule."),
    "usb.section_refused": (
        "3. BỊ TỪ CHỐI HOẶC BỎ QUA (hộp giữ nguyên dữ liệu và lịch đang chạy)",
        "3. REFUSED OR SKIPPED (the box keeps its data and running schedule)",
    ),
    "usb.nothing_refused": ("Không có.", "None."),
    "usb.section_notes": ("CẦN LƯU Ý", "PLEASE NOTE"),
    "usb.section_plan": (
        "4. KẾ HOẠCH PHÁT 7 NGÀY TỚI ({first} – {last})",
        "4. BROADCAST PLAN FOR THE NEXT 7 DAYS ({first} – {last})",
    ),
    "usb.plan_line": (
        "{day} {date} {time}  {campaign} / {slot}: {clips} → vùng loa: {zones}",
        "{day} {date} {time}  {campaign} / {slot}: {clips} → zones: {zones}",
    ),
    "usb.plan_empty": ("Không có buổi phát nào theo lịch.", "No scheduled session."),
    "usb.plan_failed": (
        "Không lập được kế hoạch phát ({detail}).",
        "Could not make the broadcast plan ({detail}).",
    ),
    "usb.safe_to_remove": (
        "Biên nhận này được ghi sau cùng. Khi hộp báo xong, có thể rút USB ra.",
        "This receipt is written last. When the box signals done, the stick can be pulled out.",
    ),
    "usb.led_legend": (
        "Đèn báo USB: nháy chậm = đang chép, đừng rút; sáng đứng = xong, mọi thứ tốt; nháy nhanh = xong nhưng có mục bị từ chối, hãy đọc biên nhận này.",
        "USB light: slow blinking = copying, do not pull out; steady = done, all good; fast blinking = done but something was refused, read this receipt.",
    ),
    "usb.receipt_written": ("Đã ghi biên nhận '{path}'.", "Receipt written: '{path}'."),
    "usb.receipt_failed": (
        "Không ghi được biên nhận lên USB '{path}'; các dòng dưới đây là nội dung biên nhận.",
        "Could not write the receipt on the stick '{path}'; the lines below are what it would say.",
    ),
    "usb.summary": (
        "Đồng bộ USB xong: {exported} tệp chép ra, {imported} bài/lịch nhập vào, {refused} bị từ chối.",
        "USB sync finished: {exported} files copied out, {imported} clips/schedules imported, {refused} refused.",
    ),
    "usb.bad_folder": (
        "'{value}' không dùng được làm thư mục trên USB; hãy viết đường dẫn tương đối như \"LoaXa/nhap\", không có '..', không có ký tự \\ : * ? \" < > |",
        "'{value}' cannot be a folder on the stick; write a relative path like \"LoaXa/nhap\", without '..' and without \\ : * ? \" < > |",
    ),
    "usb.monitor_is_broadcast": (
        "'{value}' có thể là đường ra loa xã; tiếng báo USB chỉ được phát ra loa nghe thử tại chỗ. Ghi tên thiết bị ALSA của loa nghe thử (xem aplay -L) hoặc để trống",
        "'{value}' may be the village loudspeaker output; the USB sound may only go to a local monitor. Write the monitor's ALSA device (see aplay -L) or leave it empty",
    ),
    "usb.led_failed": (
        "Không dùng được đèn báo USB ở chân {pin} ({detail}); việc đồng bộ vẫn tiếp tục.",
        "Cannot use the USB status light on pin {pin} ({detail}); the sync goes on.",
    ),
    "usb.sound_failed": (
        "Không phát được tiếng báo trên loa nghe thử '{device}' ({detail}).",
        "Could not play the confirmation sound on the monitor '{device}' ({detail}).",
    ),
    "usb.device_ignored": (
        "Bỏ qua thiết bị {device}: định dạng '{fstype}' không phải FAT32/exFAT.",
        "Ignoring {device}: its format '{fstype}' is not FAT32/exFAT.",
    ),
    "usb.mount_failed": (
        "Không mở (mount) được USB {device} ({detail}). Thử cắm lại; nếu vẫn lỗi, định dạng lại USB trên máy tính (FAT32 hoặc exFAT).",
        "Could not mount the stick {device} ({detail}). Plug it in again; if it still fails, reformat it on a computer (FAT32 or exFAT).",
    ),
    "usb.mounted": ("Đã mở USB {device} tại {path}.", "Mounted {device} at {path}."),
    "usb.unmounted": ("Đã đóng (unmount) USB {device}.", "Unmounted {device}."),
    "usb.unmount_failed": (
        "Không đóng (unmount) được USB {device} ({detail}); dữ liệu đã được đẩy xuống USB.",
        "Could not unmount {device} ({detail}); the data was already flushed to the stick.",
    ),
    "usb.remove_now": (
        "Có thể rút USB {device} ra an toàn.",
        "The stick {device} can be removed safely.",
    ),
    "usb.watching": ("Đang chờ cắm USB…", "Waiting for a USB stick…"),
    # --- usb: privileges, deadline, stop (issue 10) ---
    "usb.no_data_dir": (
        "Không có thư mục dữ liệu '{path}' của hộp nên USB không được đồng bộ. Chạy lại: sudo bash hardware/install.sh",
        "The box's data folder '{path}' does not exist, so the stick was not synced. Run again: sudo bash hardware/install.sh",
    ),
    "usb.data_dir_root": (
        "Thư mục dữ liệu '{path}' thuộc về root. Việc đồng bộ USB chỉ chạy dưới tài khoản của hộp (loaxa), không bao giờ dưới root, nên USB không được đồng bộ. Sửa: sudo chown -R loaxa:loaxa {path}",
        "The data folder '{path}' belongs to root. The USB sync only ever runs as the box's account (loaxa), never as root, so the stick was not synced. Fix: sudo chown -R loaxa:loaxa {path}",
    ),
    "usb.config_not_root": (
        "Dịch vụ USB chạy dưới root nên chỉ đọc tệp cấu hình mà riêng root sửa được; '{path}' không phải vậy (là lối tắt, hoặc người khác sửa được). Dùng --config /etc/loaxa/loaxa.toml như trong hardware/systemd/loaxa-usb@.service.",
        "The USB service runs as root, so it only reads a config file that root alone can change; '{path}' is not one (a link, or writable by others). Use --config /etc/loaxa/loaxa.toml as hardware/systemd/loaxa-usb@.service does.",
    ),
    "usb.stopped": (
        "Việc đồng bộ bị dừng giữa chừng (hộp đang tắt hoặc khởi động lại). Những gì biên nhận này không ghi là chưa được làm: cắm lại USB khi hộp đã chạy lại.",
        "The sync was stopped part-way (the box was shutting down or restarting). Whatever this receipt does not list was not done: plug the stick in again once the box is running.",
    ),
    "usb.deadline": (
        "Việc đồng bộ kéo dài quá {minutes} phút nên bị dừng. Những gì biên nhận này không ghi là chưa được làm: để ít bài hơn trên USB (chia làm nhiều lần) rồi cắm lại.",
        "The sync took longer than {minutes} min and was stopped. Whatever this receipt does not list was not done: put fewer clips on the stick (split them over several syncs) and plug it in again.",
    ),
    "usb.stick_removed": (
        "USB bị rút ra (hoặc bị lỗi) trong lúc hộp đang chép. Dữ liệu trong hộp không bị ảnh hưởng. Hãy cắm lại USB và chờ đèn báo xong rồi mới rút.",
        "The USB stick was pulled out (or failed) while the box was copying. The box's data is not affected. Plug the stick in again and wait for the done signal before pulling it out.",
    ),
    "usb.sync_failed": (
        "Tiến trình đồng bộ USB kết thúc bất thường ({detail}); xem các dòng phía trên trong nhật ký. Cắm lại USB; nếu vẫn lỗi, gọi kỹ thuật viên.",
        "The USB sync process ended abnormally ({detail}); see the lines above in the log. Plug the stick in again; if it happens again, call the technician.",
    ),
    "usb.file_failed": (
        "hộp gặp lỗi khi xử lý tệp này ({detail}) nên bỏ qua nó; các tệp khác vẫn được nhập. Gửi biên nhận này cho kỹ thuật viên",
        "the box hit an error handling this file ({detail}) and skipped it; the other files were still imported. Send this receipt to the technician",
    ),
    "usb.schedule_broken": (
        "tệp lịch bị hỏng, hộp không đọc được ({detail}); hãy mở tệp trên máy tính để sửa, hoặc làm lại theo mẫu",
        "the schedule file is broken and the box cannot read it ({detail}); open it on a computer and fix it, or start again from the template",
    ),
    # --- panel ---
    "panel.failed": (
        "Không mở được mặt trước hộp (đèn/nút): {detail}. Hộp vẫn phát theo lịch.",
        "The front panel (light/buttons) could not be opened: {detail}. Broadcasts continue.",
    ),
    "panel.button_failed": ("Lỗi khi xử lý nút bấm", "A button action failed"),
    "panel.no_emergency_clip": (
        "Nút khẩn cấp chưa gắn bài: đặt [panel] emergency_clip trong loaxa.toml.",
        "The emergency button has no clip: set [panel] emergency_clip in loaxa.toml.",
    ),
    "panel.emergency": (
        "NÚT KHẨN CẤP: dừng buổi đang phát, phát bài '{clip}' ra mọi vùng loa.",
        "EMERGENCY BUTTON: stopping what plays, broadcasting '{clip}' to every zone.",
    ),
    "panel.emergency_slot": ("khẩn cấp", "emergency"),
    "panel.talk_by": ("nút Nói trên hộp", "the box's talk button"),
    "panel.talk_busy": (
        "Nút Nói: micro chưa lên sóng vì đang có buổi phát khác ({reason})",
        "Talk button: the microphone is not on air, another session is ({reason})",
    ),
    "panel.no_stick": ("Không thấy thẻ nhớ USB nào đã cắm.", "No mounted USB stick was found."),
    "panel.exported": (
        "Đã trao đổi xong với thẻ nhớ {path}.",
        "Finished the exchange with the stick at {path}.",
    ),
    "panel.export_started": (
        "Bắt đầu trao đổi với thẻ nhớ {path} (tiến trình riêng; đèn báo khi xong).",
        "Started the exchange with the stick at {path} (a process of its own; the light shows when it is done).",
    ),
    "panel.export_busy": (
        "Đang trao đổi với thẻ nhớ rồi; chờ đèn báo xong.",
        "An exchange with a stick is already running; wait for the light.",
    ),
    "panel.export_problem": (
        "Trao đổi với thẻ nhớ {path} có vấn đề; đọc biên nhận trên thẻ (hoặc nhật ký: journalctl -u loaxa).",
        "The exchange with the stick at {path} had a problem; read the receipt on the stick (or the log: journalctl -u loaxa).",
    ),
    # --- web panel (issue 14): firmware_host/web/ ---
    "web.config.bad_host": (
        '\'{value}\' không phải địa chỉ IP; dùng "0.0.0.0" (mọi mạng của hộp) hoặc "127.0.0.1" (chỉ trên hộp)',
        '\'{value}\' is not an IP address; use "0.0.0.0" (every network of the box) or "127.0.0.1" (the box only)',
    ),
    "web.config.tls_pair": (
        "tls_cert và tls_key phải cùng có (https) hoặc cùng để trống (http)",
        "tls_cert and tls_key must both be set (https) or both be empty (http)",
    ),
    "web.cannot_listen": (
        "Không mở được trang điều khiển ở {host}:{port}: {detail}. Cổng có thể đang bị chương trình khác dùng; đổi [web] port hoặc dừng chương trình đó.",
        "Cannot serve the panel on {host}:{port}: {detail}. Another program may be using the port; change [web] port or stop that program.",
    ),
    "web.tls_missing": (
        "Không có tệp '{path}' cho https ([web] tls_cert / tls_key). Chép tệp vào đúng chỗ, hoặc để trống cả hai để dùng http.",
        "The file '{path}' for https ([web] tls_cert / tls_key) does not exist. Put it there, or leave both empty to use http.",
    ),
    "web.tls_unusable": (
        "Không dùng được chứng chỉ '{cert}' với khoá '{key}' cho https: {detail}. Kiểm tra hai tệp PEM có đi cùng nhau không.",
        "Cannot use the certificate '{cert}' with the key '{key}' for https: {detail}. Check that the two PEM files belong together.",
    ),
    "web.nav.label": ("Các trang", "Pages"),
    "web.nav.home": ("Trang chủ", "Home"),
    "web.nav.clips": ("Bài phát", "Clips"),
    "web.nav.schedules": ("Lịch phát", "Schedules"),
    "web.nav.approval": ("Duyệt", "Approval"),
    "web.nav.emergency": ("Khẩn cấp", "Emergency"),
    "web.nav.log": ("Nhật ký", "Log"),
    "web.nav.system": ("Hệ thống", "System"),
    "web.logout": ("Đăng xuất", "Log out"),
    "web.cancel": ("Huỷ", "Cancel"),
    "web.tomorrow": ("mai {time}", "tomorrow {time}"),
    "web.version": ("Phần mềm Loa Xã phiên bản {version}", "Loa Xã software version {version}"),
    "web.role.can-bo": ("Cán bộ", "Officer"),
    "web.role.lanh-dao": ("Lãnh đạo", "Leadership"),
    "web.role.ky-thuat": ("Kỹ thuật", "Technician"),
    "web.role_does.can-bo": (
        "bài phát, lịch phát, phát, nhật ký, báo cáo",
        "clips, campaigns, play, log, reports",
    ),
    "web.role_does.lanh-dao": ("duyệt lịch, phát khẩn cấp", "approve campaigns, emergency"),
    "web.role_does.ky-thuat": ("tài khoản, hệ thống", "accounts, system"),
    "count.second.one": ("{n} giây", "{n} second"),
    "count.second.other": ("{n} giây", "{n} seconds"),
    "count.minute.one": ("{n} phút", "{n} minute"),
    "count.minute.other": ("{n} phút", "{n} minutes"),
    "web.login.title": ("Đăng nhập", "Log in"),
    "web.login.name": ("Tên đăng nhập", "User name"),
    "web.login.password": ("Mật khẩu", "Password"),
    "web.login.submit": ("Đăng nhập", "Log in"),
    "web.login.forgot": (
        "Quên mật khẩu? Nhờ kỹ thuật viên cấp lại mật khẩu dùng một lần.",
        "Forgot your password? Ask the technician for a new one-time password.",
    ),
    "web.login.wrong": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "web.login.wait": (
        "Đăng nhập sai nhiều lần: hãy đợi {wait} (đến {until}) rồi thử lại.",
        "Too many failed logins: wait {wait} (until {until}) and try again.",
    ),
    "web.login.locked": (
        "Tài khoản tạm khoá vì đăng nhập sai quá nhiều lần. Hãy thử lại sau {wait} (lúc {until}); thử trước lúc đó, kể cả đúng mật khẩu, chỉ kéo dài thời gian chờ. Kỹ thuật viên có thể cấp lại mật khẩu.",
        "The account is locked for a while after too many failed logins. Try again in {wait} (at {until}); trying before then, even with the right password, only makes the wait longer. The technician can reset the password.",
    ),
    "web.login.expired": (
        "Phiên làm việc đã hết hạn vì lâu không dùng. Hãy đăng nhập lại.",
        "Your session ended after a while without use. Please log in again.",
    ),
    "web.login.ended": (
        "Phiên làm việc đã kết thúc (mật khẩu vừa được đổi hoặc cấp lại). Hãy đăng nhập lại.",
        "Your session has ended (the password was changed or reset). Please log in again.",
    ),
    "web.login.logged_out": ("Đã đăng xuất.", "You are logged out."),
    "web.password.title": ("Đổi mật khẩu", "Change password"),
    "web.password.first_time": (
        "Chào {name}! Đây là lần đăng nhập đầu tiên: hãy đặt mật khẩu của riêng bạn. Mật khẩu dùng một lần sẽ không dùng được nữa.",
        "Welcome, {name}! This is your first login: choose a password of your own. The one-time password will stop working.",
    ),
    "web.password.current_one_time": ("Mật khẩu dùng một lần", "One-time password"),
    "web.password.current": ("Mật khẩu hiện tại", "Current password"),
    "web.password.new": ("Mật khẩu mới", "New password"),
    "web.password.repeat": ("Nhập lại mật khẩu mới", "New password again"),
    "web.password.rules": (
        "Ít nhất 8 ký tự, khác tên đăng nhập. Một câu ngắn dễ nhớ là mật khẩu tốt.",
        "At least 8 characters, not your user name. A short sentence you remember makes a good password.",
    ),
    "web.password.submit": ("Lưu mật khẩu mới", "Save the new password"),
    "web.password.changed": ("Đã lưu mật khẩu mới.", "Your new password is saved."),
    "web.password.mismatch": (
        "Hai lần nhập mật khẩu mới không giống nhau. Hãy nhập lại.",
        "The two new passwords are not the same. Please type them again.",
    ),
    "web.password.wrong_current": (
        "Mật khẩu hiện tại không đúng.",
        "The current password is not right.",
    ),
    "web.password.too_short": (
        "Mật khẩu mới quá ngắn: cần ít nhất {least} ký tự.",
        "The new password is too short: it needs at least {least} characters.",
    ),
    "web.password.too_long": (
        "Mật khẩu mới quá dài: tối đa {most} ký tự.",
        "The new password is too long: at most {most} characters.",
    ),
    "web.password.is_name": (
        "Mật khẩu không được giống tên đăng nhập.",
        "The password must not be your user name.",
    ),
    "web.password.same": (
        "Mật khẩu mới phải khác mật khẩu hiện tại.",
        "The new password must differ from the current one.",
    ),
    "web.users.title": ("Tài khoản", "Accounts"),
    "web.users.name": ("Tên đăng nhập", "User name"),
    "web.users.roles": ("Vai trò (chọn một hoặc nhiều)", "Roles (one or more)"),
    "web.users.add_title": ("Thêm tài khoản", "Add an account"),
    "web.users.add": ("Tạo tài khoản", "Create the account"),
    "web.users.reset": ("Cấp lại mật khẩu", "Reset password"),
    "web.users.remove": ("Xoá", "Remove"),
    "web.users.back": ("Về danh sách tài khoản", "Back to the accounts"),
    "web.users.created": ("Tạo lúc {time}, bởi {by}", "Created {time} by {by}"),
    "web.users.one_time_pending": (
        "Chưa đổi mật khẩu dùng một lần",
        "Has not replaced the one-time password yet",
    ),
    "web.users.added": ("Đã tạo tài khoản {name}", "Account {name} created"),
    "web.users.was_reset": ("Đã cấp lại mật khẩu cho {name}", "Password of {name} reset"),
    "web.users.one_time_is": (
        "Mật khẩu dùng một lần của {name}:",
        "The one-time password of {name}:",
    ),
    "web.users.one_time_once": (
        "Mật khẩu này chỉ hiện một lần, bây giờ. Hãy đưa tận tay cho {name}; lần đăng nhập đầu, {name} sẽ phải đặt mật khẩu mới.",
        "This password is shown only once, now. Hand it to {name} in person; at the first login {name} must choose a new password.",
    ),
    "web.users.remove_title": ("Xoá tài khoản", "Remove an account"),
    "web.users.remove_question": (
        "Xoá hẳn tài khoản {name}? Người này sẽ không đăng nhập được nữa; nhật ký vẫn giữ những việc họ đã làm.",
        "Remove the account {name} for good? They will not be able to log in again; the log keeps what they did.",
    ),
    "web.users.remove_confirm": ("Xoá hẳn", "Remove for good"),
    "web.users.removed": ("Đã xoá tài khoản {name}.", "Account {name} removed."),
    "web.users.bad_name": (
        "Tên đăng nhập '{name}' không dùng được: cần từ 1 đến {most} ký tự nhìn thấy được (chữ, số, dấu cách giữa các chữ), không có ký tự ẩn hay xuống dòng.",
        "The user name '{name}' cannot be used: it needs 1 to {most} visible characters (letters, digits, spaces between words), with no hidden characters or line breaks.",
    ),
    "web.users.bad_role": (
        "Vai trò không hợp lệ: '{role}'. Chọn một hoặc nhiều trong: {roles}.",
        "Not a role: '{role}'. Choose one or more of: {roles}.",
    ),
    "web.users.exists": (
        "Đã có tài khoản tên '{name}' (không phân biệt chữ hoa, chữ thường).",
        "There is already an account called '{name}' (upper and lower case count as the same).",
    ),
    "web.users.unknown": (
        "Không có tài khoản tên '{name}'.",
        "There is no account called '{name}'.",
    ),
    "web.users.last_technician": (
        "Không xoá được '{name}': đây là tài khoản kỹ thuật cuối cùng, không còn ai quản lý được tài khoản. Hãy tạo một tài khoản kỹ thuật khác trước.",
        "Cannot remove '{name}': it is the last technician account, nobody could manage accounts any more. Create another technician account first.",
    ),
    "web.users.unreadable": (
        "Không đọc được danh sách tài khoản '{path}': {detail}. Chưa ai đăng nhập được; kỹ thuật viên hãy khôi phục tệp này hoặc tạo lại tài khoản bằng 'loaxa users add'.",
        "Cannot read the account list '{path}': {detail}. Nobody can log in; the technician should restore the file or create the accounts again with 'loaxa users add'.",
    ),
    "web.audit.title": ("Nhật ký thay đổi", "Audit log"),
    "web.audit.empty": ("Chưa có thay đổi nào trong tháng này.", "No changes this month yet."),
    "web.audit.from": ("từ {origin}", "from {origin}"),
    "web.audit.from_cli": ("bằng lệnh loaxa trên hộp", "with the loaxa command on the box"),
    "web.audit.user.add": (
        "{who} tạo tài khoản {target} ({roles})",
        "{who} created the account {target} ({roles})",
    ),
    "web.audit.user.reset": (
        "{who} cấp lại mật khẩu cho {target}",
        "{who} reset the password of {target}",
    ),
    "web.audit.user.remove": ("{who} xoá tài khoản {target}", "{who} removed the account {target}"),
    "web.audit.user.password": ("{who} đổi mật khẩu của mình", "{who} changed their password"),
    "web.audit.login": ("{who} đăng nhập", "{who} logged in"),
    "web.audit.logout": ("{who} đăng xuất", "{who} logged out"),
    "web.audit.login.failed": (
        "Đăng nhập sai với tên '{who}'",
        "Failed login as '{who}'",
    ),
    "web.audit.login.locked": (
        "Tạm khoá đăng nhập '{who}' {seconds} giây sau nhiều lần sai",
        "Logins as '{who}' held for {seconds} seconds after repeated failures",
    ),
    "web.home.signed_in_as": ("Đang đăng nhập: {name}", "Logged in as {name}"),
    "web.home.no_daemon": (
        "Hộp chưa chạy chương trình phát",
        "The broadcast program is not running",
    ),
    "web.home.no_daemon_detail": (
        "Lịch phát sẽ không được phát cho đến khi chương trình chạy lại. Hãy báo kỹ thuật viên (dịch vụ loaxa).",
        "Scheduled sessions will not air until it runs again. Tell the technician (service loaxa).",
    ),
    "web.home.on_air": ("Đang phát", "On air"),
    "web.home.idle": ("Không phát", "Not on air"),
    "web.home.manual": ("Phát tay", "Manual play"),
    "web.home.clip": ("Bài: {title}", "Clip: {title}"),
    "web.home.since": ("Từ {time}, đã phát {played}", "Since {time}, {played} played"),
    "web.home.zones": ("Vùng loa: {zones}", "Zones: {zones}"),
    "web.home.waiting": ("Đang chờ phát", "Waiting to air"),
    "web.home.next": ("Buổi phát tiếp theo", "Next sessions"),
    "web.home.nothing_next": (
        "Không có buổi phát nào trong lịch hôm nay và ngày mai.",
        "No session is planned today or tomorrow.",
    ),
    "web.home.clock": ("Đồng hồ", "Clock"),
    "web.home.clock_trusted": ("Giờ của hộp đúng: {time}", "The box's clock is trusted: {time}"),
    "web.home.clock_untrusted": (
        "Giờ của hộp chưa đáng tin ({time}): lịch có thể không được phát đúng giờ.",
        "The box's clock is not trusted ({time}): sessions may not air on time.",
    ),
    "web.home.relays": ("Rơ-le", "Relays"),
    "web.home.amplifier": ("Âm ly", "Amplifier"),
    "web.home.relay_on": ("bật", "on"),
    "web.home.relay_off": ("tắt", "off"),
    "web.home.relay_unknown": ("không rõ", "unknown"),
    "web.home.problems": ("Buổi phát gặp sự cố gần đây", "Recent failed or missed sessions"),
    "web.home.box": ("Hộp điều khiển", "The box"),
    "web.home.disk": ("Còn trống {free} trên {total}", "{free} free of {total}"),
    "web.home.daemon_since": (
        "Chương trình phát chạy từ {time} (phiên bản {version})",
        "Broadcast program running since {time} (version {version})",
    ),
    "web.home.schedules": ("Lịch phát: {files}", "Schedules: {files}"),
    "web.home.schedules_refused": (
        "Tệp lịch bị từ chối (đang dùng bản đúng gần nhất): {names}",
        "Schedule files refused (the last good versions are used): {names}",
    ),
    "web.error.title": ("Lỗi {code}", "Error {code}"),
    "web.error.back_home": ("Về trang chủ", "Back to the home page"),
    "web.error.back_login": ("Đến trang đăng nhập", "To the login page"),
    "web.error.400": (
        "Yêu cầu không hợp lệ. Hãy quay lại trang trước và làm lại.",
        "The request was not valid. Go back to the previous page and try again.",
    ),
    "web.error.403": (
        "Tài khoản của bạn không có quyền dùng trang này. Nếu cần, hãy nhờ kỹ thuật viên thêm vai trò.",
        "Your account may not use this page. If you need it, ask the technician to add the role.",
    ),
    "web.error.csrf": (
        "Biểu mẫu đã hết hạn hoặc không được gửi từ trang này. Hãy tải lại trang rồi làm lại.",
        "The form has expired or was not sent from this panel. Reload the page and try again.",
    ),
    "web.error.404": ("Không có trang này.", "There is no such page."),
    "web.error.405": (
        "Trang này không nhận yêu cầu kiểu đó.",
        "This page does not accept that kind of request.",
    ),
    "web.error.413": (
        "Tệp gửi lên quá lớn nên đã bị từ chối, không có gì được lưu. Giới hạn do kỹ thuật viên đặt ([web] max_upload_mb).",
        "The file sent is too large and was refused; nothing was saved. The technician sets the limit ([web] max_upload_mb).",
    ),
    "web.error.500": (
        "Có lỗi không lường trước khi làm việc này; không có gì khác bị ảnh hưởng. Hãy thử lại, và báo kỹ thuật viên nếu lỗi lặp lại.",
        "An unexpected error happened while doing this; nothing else was affected. Try again, and tell the technician if it happens again.",
    ),
    # --- web panel, phase 2 (issue 14): pages on the library ---
    "web.refused": ("{message}", "{message}"),
    "web.home.stop": ("Dừng phát", "Stop"),
    "web.home.stopped": ("Đã dừng buổi phát.", "The session was stopped."),
    "web.home.nothing_to_stop": ("Không có gì đang phát.", "Nothing was on air."),
    "web.home.confirm_clock": ("Giờ này đúng: xác nhận", "This time is right: confirm"),
    "web.home.clock_confirmed": (
        "Đã xác nhận giờ {time}: lịch phát theo giờ này cho đến lần khởi động lại sau.",
        "Time {time} confirmed: sessions air by it until the box restarts.",
    ),
    "web.home.clock_not_confirmed": (
        "Không xác nhận được giờ: không đọc được mã lần khởi động của hộp. Hãy báo kỹ thuật viên (lệnh loaxa clock confirm trên hộp).",
        "Could not confirm the time: the box's boot id cannot be read. Tell the technician (loaxa clock confirm on the box).",
    ),
    "web.audit.broadcast.stop": ("{who} bấm Dừng phát", "{who} pressed Stop"),
    "web.audit.clock.confirm": ("{who} xác nhận giờ của hộp ({time})", "{who} confirmed the box's time ({time})"),
    "web.zones.legend": ("Vùng loa", "Zones"),
    "web.zones.none_is_all": ("Không chọn vùng nào là phát mọi vùng.", "No zone ticked means every zone."),
    "web.job.waiting": ("Đang chờ đến lượt (việc khác đang chạy)…", "Waiting for its turn (other work is running)…"),
    "web.job.started": ("Đang bắt đầu…", "Starting…"),
    "web.job.kind.import": ("Nhập bài phát", "Importing a clip"),
    "web.job.kind.emergency": ("Phát khẩn cấp", "Emergency broadcast"),
    "web.job.kind.selftest": ("Tự kiểm tra", "Self-test"),
    "web.job.yes": ("Có", "Yes"),
    "web.job.no": ("Không", "No"),
    "web.job.done": ("Xong", "Done"),
    "web.job.refused": ("Không làm được", "Not done"),
    "web.job.back.import": ("Về danh sách bài phát", "Back to the clips"),
    "web.job.back.emergency": ("Về trang chủ", "Back to the home page"),
    "web.job.back.selftest": ("Về trang kiểm tra", "Back to the checks"),
    "web.clips.upload_title": ("Tải bài lên", "Upload a clip"),
    "web.clips.file": ("Tệp âm thanh", "Audio file"),
    "web.clips.file_hint": (
        "MP3, M4A, WAV, OGG, FLAC; tối đa {mb} MB. Hộp sẽ chỉnh độ lớn cho đều với các bài khác.",
        "MP3, M4A, WAV, OGG, FLAC; at most {mb} MB. The box evens out its loudness with the other clips.",
    ),
    "web.clips.title_label": ("Tên bài", "Title"),
    "web.clips.title_hint": ("Để trống: lấy tên tệp.", "Empty: the file's name."),
    "web.clips.language": ("Tiếng", "Language"),
    "web.clips.language_hint": (
        "vi (tiếng Việt), hoặc mã tiếng dân tộc: ede, jra, hmn, tay…",
        "vi (Vietnamese), or a minority language's code: ede, jra, hmn, tay…",
    ),
    "web.clips.upload": ("Tải lên", "Upload"),
    "web.clips.sending": ("Đang gửi tệp lên hộp…", "Sending the file to the box…"),
    "web.clips.upload_failed": (
        "Không gửi được tệp. Kiểm tra Wi-Fi rồi thử lại.",
        "The file could not be sent. Check the Wi-Fi and try again.",
    ),
    "web.clips.needs_script": (
        "Trình duyệt cần bật JavaScript để tải bài lên (hoặc chép bài vào thẻ nhớ USB như trước).",
        "The browser needs JavaScript to upload a clip (or copy it to a USB stick, as before).",
    ),
    "web.clips.no_space": (
        "Thẻ nhớ của hộp không đủ chỗ cho tệp này (cần khoảng {size} MB). Hãy xoá bớt bài cũ.",
        "The box's card has no room for this file (about {size} MB needed). Remove some old clips.",
    ),
    "web.clips.say_link": ("Đọc văn bản thành bài", "Read a text into a clip"),
    "web.clips.recent_jobs": ("Bài vừa gửi", "Recently sent"),
    "web.clips.library": ("Thư viện: {clips}", "Library: {clips}"),
    "web.clips.language_is": ("tiếng: {language}", "language: {language}"),
    "web.clips.loudness": (
        "Độ lớn: bản gốc {before} LUFS, đã chỉnh về {after} LUFS",
        "Loudness: {before} LUFS as brought, evened to {after} LUFS",
    ),
    "web.clips.missing": (
        "Mất tệp âm thanh của bài này: hãy nhập lại tệp gốc.",
        "This clip's audio file is missing: import the original file again.",
    ),
    "web.clips.empty": (
        "Chưa có bài nào. Tải bài lên ở trên, hoặc đọc một văn bản thành bài.",
        "No clips yet. Upload one above, or read a text into a clip.",
    ),
    "web.clips.play": ("Phát ngay", "Play now"),
    "web.clips.remove": ("Xoá", "Remove"),
    "web.clips.remove_title": ("Xoá bài phát", "Remove a clip"),
    "web.clips.remove_question": ("Xoá hẳn bài “{title}” khỏi hộp?", "Remove the clip “{title}” from the box for good?"),
    "web.clips.remove_used": (
        "Lịch phát đang dùng bài này: {campaigns}. Xoá bài thì các lịch đó bị từ chối (hộp phát bản đúng gần nhất) cho đến khi sửa lịch.",
        "These campaigns use this clip: {campaigns}. Once it is gone they are refused (the box plays their last good version) until they are edited.",
    ),
    "web.clips.remove_confirm": ("Xoá hẳn", "Remove for good"),
    "web.clips.removed": ("Đã xoá bài “{title}”.", "Removed the clip “{title}”."),
    "web.clips.play_title": ("Phát ngay một bài", "Play a clip now"),
    "web.clips.repeat": ("Số lần phát", "Times to play"),
    "web.clips.tier": ("Mức", "Tier"),
    "web.clips.play_now": ("Phát ngay", "Play now"),
    "web.clips.on_air": ("Đang phát “{title}”.", "“{title}” is on air."),
    "web.clips.queued": (
        "“{title}” đang chờ: một buổi phát khác đang chạy.",
        "“{title}” is waiting: another session is on air.",
    ),
    "web.clips.imported": (
        "Đã nhập bài “{title}” (mã {id}, {duration}). Độ lớn bản gốc {before} LUFS, đã chỉnh về {after} LUFS.",
        "Imported “{title}” (id {id}, {duration}). Loudness {before} LUFS as brought, evened to {after} LUFS.",
    ),
    "web.clips.no_title": ("Hãy đặt tên cho bài trước khi lưu.", "Give the clip a title before saving it."),
    "web.clips.stage.check": ("Đang kiểm tra tệp…", "Checking the file…"),
    "web.clips.stage.measure": ("Bước 1/2: đang đo độ lớn…", "Step 1 of 2: measuring the loudness…"),
    "web.clips.stage.convert": ("Bước 2/2: đang chỉnh độ lớn và lưu…", "Step 2 of 2: evening the loudness and storing…"),
    "web.clips.stage.store": ("Đang lưu vào thư viện…", "Storing in the library…"),
    "web.clips.stage.reading": ("Đang đọc văn bản thành tiếng…", "Reading the text aloud…"),
    "web.say.title": ("Đọc văn bản thành bài", "Read a text into a clip"),
    "web.say.text": ("Văn bản cần đọc", "Text to read"),
    "web.say.text_hint": (
        "Viết như thông báo bình thường: số, ngày, giờ (16/9, 14h-17h), chữ viết tắt (UBND) được đọc thành lời. Tối đa {most} ký tự.",
        "Write as in any notice: numbers, dates, times (16/9, 14h-17h), abbreviations (UBND) are read out in words. At most {most} characters.",
    ),
    "web.say.title_label": ("Tên bài (khi lưu)", "Title (when saving)"),
    "web.say.voice": ("Giọng", "Voice"),
    "web.say.speed": ("Tốc độ", "Speed"),
    "web.say.voice.vi": ("Giọng Bắc", "Northern"),
    "web.say.voice.vi-vn-x-central": ("Giọng Trung", "Central"),
    "web.say.voice.vi-vn-x-south": ("Giọng Nam", "Southern"),
    "web.say.voice.vi+f3": ("Giọng Bắc, nữ", "Northern, female"),
    "web.say.preview": ("Nghe thử", "Listen first"),
    "web.say.save": ("Lưu thành bài", "Save as a clip"),
    "web.say.heard": ("Nghe thử", "Preview"),
    "web.say.words": ("Hộp sẽ đọc đúng những chữ này:", "The box will read exactly these words:"),
    "web.audit.clip.import": ("{who} nhập bài “{target}”", "{who} imported the clip “{target}”"),
    "web.audit.clip.say": ("{who} đọc văn bản thành bài “{target}”", "{who} read a text into the clip “{target}”"),
    "web.audit.clip.remove": ("{who} xoá bài “{target}”", "{who} removed the clip “{target}”"),
    "web.audit.broadcast.play": ("{who} phát ngay “{target}” ({zones})", "{who} played “{target}” now ({zones})"),
    "web.schedules.campaigns": ("Chiến dịch", "Campaigns"),
    "web.schedules.calendar": ("7 ngày tới", "Next 7 days"),
    "web.schedules.add": ("Thêm chiến dịch", "Add a campaign"),
    "web.schedules.file": ("Tệp {file}", "File {file}"),
    "web.schedules.refused": ("Tệp này có lỗi nên không được phát:", "This file has errors, so it does not air:"),
    "web.schedules.refused_last_good": (
        "Tệp này có lỗi; hộp đang phát bản đúng gần nhất của nó, cho đến khi sửa xong:",
        "This file has errors; the box plays its last good version until it is fixed:",
    ),
    "web.schedules.accepted": ("Hợp lệ: hộp phát theo lịch này.", "Valid: the box plays this schedule."),
    "web.schedules.at_line": ("Dòng {line}: {message}", "Line {line}: {message}"),
    "web.schedules.every_day": ("hằng ngày", "every day"),
    "web.schedules.edit": ("Sửa", "Edit"),
    "web.schedules.edit_text": ("Sửa dạng văn bản", "Edit as text"),
    "web.schedules.remove": ("Xoá", "Remove"),
    "web.schedules.empty": (
        "Chưa có chiến dịch nào. Bấm “Thêm chiến dịch”, hoặc chép tệp lịch vào thẻ nhớ USB như trước.",
        "No campaigns yet. Press “Add a campaign”, or bring schedule files on a USB stick as before.",
    ),
    "web.schedules.calendar_refused": (
        "Có tệp lịch bị từ chối: lịch dưới đây là những gì hộp sẽ thật sự phát. Xem lỗi ở trang",
        "Some schedule files are refused: below is what the box will really play. See the errors on",
    ),
    "web.schedules.today": ("hôm nay", "today"),
    "web.schedules.last_good_mark": ("bản trước", "last good version"),
    "web.schedules.no_sessions": ("Không có buổi phát.", "No sessions."),
    "web.schedules.remove_title": ("Xoá chiến dịch", "Remove a campaign"),
    "web.schedules.remove_question": (
        "Xoá hẳn tệp lịch {file}? Chiến dịch sẽ thôi phát ngay (bản đúng trước đó cũng bị xoá); nhật ký phát vẫn giữ những buổi đã phát.",
        "Remove the schedule file {file} for good? The campaign stops airing at once (its last good version goes too); the log keeps what aired.",
    ),
    "web.schedules.remove_confirm": ("Xoá hẳn", "Remove for good"),
    "web.schedules.removed": ("Đã xoá tệp lịch {file}.", "Removed the schedule file {file}."),
    "web.schedules.text_title": ("Sửa tệp lịch dạng văn bản", "Edit a schedule file as text"),
    "web.schedules.text": ("Nội dung tệp (TOML)", "The file (TOML)"),
    "web.schedules.text_hint": (
        "Cách viết: docs/schedules.md. Tệp có lỗi thì không được lưu; lỗi được báo kèm số dòng.",
        "How to write it: docs/schedules.md. A file with errors is not saved; each error names its line.",
    ),
    "web.schedules.save": ("Lưu lịch", "Save"),
    "web.schedules.saved": (
        "Đã lưu lịch “{campaign}” ({file}); hộp đọc lại lịch trong vài giây.",
        "Saved “{campaign}” ({file}); the box reads it again within seconds.",
    ),
    "web.schedules.edit_title": ("Sửa chiến dịch", "Edit a campaign"),
    "web.schedules.new_title": ("Chiến dịch mới", "New campaign"),
    "web.schedules.not_saved": (
        "Chưa lưu: lịch có lỗi, xem thông báo bên cạnh từng ô.",
        "Not saved: the schedule has errors, see the message beside each field.",
    ),
    "web.schedules.campaign": ("Chiến dịch", "Campaign"),
    "web.schedules.name": ("Tên chiến dịch", "Campaign name"),
    "web.schedules.start": ("Ngày bắt đầu", "First day"),
    "web.schedules.end": ("Ngày kết thúc", "Last day"),
    "web.schedules.end_hint": ("Ngày này vẫn phát.", "It still airs that day."),
    "web.schedules.except": ("Ngày nghỉ", "Days off"),
    "web.schedules.except_hint": (
        "Những ngày không phát, cách nhau bằng dấu phẩy (để trống nếu không có).",
        "Dates with no broadcast, separated by commas (empty if none).",
    ),
    "web.schedules.slot": ("Khung giờ {n}", "Slot {n}"),
    "web.schedules.slot_name": ("Tên khung giờ", "Slot name"),
    "web.schedules.slot_name_example": ("sáng", "morning"),
    "web.schedules.time": ("Giờ phát", "Time"),
    "web.schedules.days": ("Ngày phát trong tuần", "Days of the week"),
    "web.schedules.playlist": ("Bài phát, theo thứ tự", "Clips, in order"),
    "web.schedules.playlist_item": ("Bài {n}", "Clip {n}"),
    "web.schedules.playlist_hint": (
        "Chọn ở ô trống cuối cùng để thêm bài; chọn “—” để bỏ một bài.",
        "Choose in the last empty box to add a clip; choose “—” to drop one.",
    ),
    "web.schedules.gap": ("Nghỉ giữa hai lần (giây)", "Pause between plays (seconds)"),
    "web.schedules.remove_slot": ("Bỏ khung giờ này khi lưu", "Drop this slot when saving"),
    "web.schedules.add_slot": ("Thêm khung giờ", "Add a slot"),
    "web.audit.schedule.create": ("{who} tạo lịch {target}", "{who} created the schedule {target}"),
    "web.audit.schedule.edit": ("{who} sửa lịch {target}", "{who} edited the schedule {target}"),
    "web.audit.schedule.remove": ("{who} xoá lịch {target}", "{who} removed the schedule {target}"),
    "web.authors.unreadable": (
        "Không đọc được danh sách người soạn lịch '{path}': {detail}. Kỹ thuật viên hãy khôi phục hoặc xoá tệp này.",
        "Cannot read the list of who wrote the schedules '{path}': {detail}. The technician should restore or delete this file.",
    ),
    # --- web panel: Duyệt, the approval queue (issue 14) ---
    "web.approval.title": ("Duyệt lịch phát", "Approve schedules"),
    "web.approval.intro": (
        "Lịch mới hoặc vừa sửa chỉ được phát sau khi lãnh đạo duyệt. Người soạn hoặc sửa một bản lịch không được tự duyệt bản đó.",
        "A new or edited schedule airs only once the leadership approves it. Whoever wrote or edited a version cannot approve it.",
    ),
    "web.approval.not_required": (
        "Xã chưa bật yêu cầu duyệt lịch ([policy] require_approval trong loaxa.toml): lịch được phát ngay khi lưu, không cần chờ duyệt. Bạn vẫn có thể duyệt để ghi nhận.",
        "The commune does not require approval ([policy] require_approval in loaxa.toml): schedules air as soon as they are saved. You may still approve one for the record.",
    ),
    "web.approval.empty": ("Không có lịch nào chờ duyệt.", "No schedule awaits approval."),
    "web.approval.badge": ("{count} lịch chờ duyệt", "{count} awaiting approval"),
    "web.approval.edited_by": ("Sửa lần cuối: {who}, {at}", "Last edited by {who}, {at}"),
    "web.approval.edited_by_hand": (
        "Sửa tay hoặc chép từ USB (không có tên người soạn), {at}",
        "Edited by hand or copied from a stick (no author recorded), {at}",
    ),
    "web.approval.open": ("Xem thay đổi và duyệt", "See the changes and decide"),
    "web.approval.back": ("Danh sách chờ duyệt", "Approval queue"),
    "web.approval.writers": ("Người soạn, sửa bản này: {names}", "Written or edited by: {names}"),
    "web.approval.no_writers": (
        "Không có tên người soạn: tệp được sửa tay hoặc chép từ USB. Lãnh đạo nào cũng duyệt được.",
        "No author recorded: the file was edited by hand or copied from a stick. Any leader may approve it.",
    ),
    "web.approval.diff_never": (
        "Chưa từng được duyệt: toàn bộ tệp",
        "Never approved: the whole file",
    ),
    "web.approval.diff_since": (
        "Thay đổi so với bản {by} duyệt lúc {at}",
        "Changes since the version {by} approved at {at}",
    ),
    "web.approval.diff_not_kept": (
        "Bản {by} duyệt lúc {at} không còn lưu trên hộp: toàn bộ tệp",
        "The version {by} approved at {at} is not kept on the box: the whole file",
    ),
    "web.approval.diff_none": (
        "Không có gì thay đổi so với bản đã duyệt.",
        "Nothing changed since the approved version.",
    ),
    "web.approval.check": ("Kiểm tra lịch", "Schedule check"),
    "web.approval.check_ok": (
        "Hợp lệ: không có lỗi, hộp phát được lịch này khi được duyệt.",
        "Valid: no errors, the box can play this schedule once approved.",
    ),
    "web.approval.check_errors": (
        "Tệp này có lỗi nên sẽ không được phát, dù được duyệt:",
        "This file has errors, so it will not air even if approved:",
    ),
    "web.approval.approve": ("Duyệt", "Approve"),
    "web.approval.refuse": ("Từ chối", "Refuse"),
    "web.approval.reason": (
        "Lý do từ chối (bắt buộc khi từ chối)",
        "Reason for refusing (required to refuse)",
    ),
    "web.approval.no_reason": (
        "Hãy ghi lý do từ chối để người soạn biết cần sửa gì.",
        "Give the reason for refusing, so the author knows what to fix.",
    ),
    "web.approval.own_edit": (
        "Bạn đã soạn hoặc sửa bản này của lịch nên không thể tự duyệt. Hãy nhờ một lãnh đạo khác duyệt.",
        "You wrote or edited this version of the schedule, so you cannot approve it yourself. Ask another leader to approve it.",
    ),
    "web.approval.changed": (
        "Tệp vừa bị sửa trong lúc bạn xem nên chưa duyệt hay từ chối gì. Hãy xem lại thay đổi mới bên dưới.",
        "The file was edited while you were reading it, so nothing was decided. Look at the new changes below.",
    ),
    "web.approval.approved": (
        "Đã duyệt lịch “{campaign}” ({file}).",
        "Approved “{campaign}” ({file}).",
    ),
    "web.approval.refused": (
        "Đã từ chối lịch “{campaign}” ({file}): lịch không được phát cho đến khi sửa và được duyệt.",
        "Refused “{campaign}” ({file}): it does not air until it is edited and approved.",
    ),
    "web.audit.schedule.approve": (
        "{who} duyệt lịch {target}",
        "{who} approved the schedule {target}",
    ),
    "web.audit.schedule.refuse": (
        "{who} từ chối lịch {target}: {reason}",
        "{who} refused the schedule {target}: {reason}",
    ),
    "web.emergency.title": ("Phát khẩn cấp", "Emergency broadcast"),
    "web.emergency.intro": (
        "Thiên tai, hoả hoạn, dịch bệnh: phát ngay, cắt buổi đang phát. Mọi lần phát khẩn cấp được ghi vào nhật ký kèm người ra lệnh và lý do.",
        "Disasters, fire, epidemics: airs at once and cuts the session on air. Every emergency broadcast is logged with who ordered it and why.",
    ),
    "web.emergency.what": ("Phát gì", "What to broadcast"),
    "web.emergency.clip": ("Chọn một bài có sẵn", "Choose a clip"),
    "web.emergency.no_clips": ("Chưa có bài nào: hãy gõ văn bản bên dưới.", "No clips yet: type the text below."),
    "web.emergency.text": ("Hoặc gõ văn bản để hộp đọc", "Or type a text for the box to read"),
    "web.emergency.text_hint": (
        "Dùng khi không chọn bài nào ở trên. Hộp đọc văn bản thành tiếng (mất vài giây đến một phút) rồi phát.",
        "Used when no clip is chosen above. The box reads the text aloud (a few seconds to a minute), then broadcasts it.",
    ),
    "web.emergency.reason": ("Lý do (bắt buộc)", "Reason (required)"),
    "web.emergency.reason_example": ("Bão số 3 đổ bộ", "Typhoon landfall"),
    "web.emergency.reason_hint": ("Ghi vào nhật ký và báo cáo tháng.", "Written in the log and the monthly report."),
    "web.emergency.next": ("Tiếp: xem lại trước khi phát", "Next: check before broadcasting"),
    "web.emergency.nothing": (
        "Hãy chọn một bài hoặc gõ văn bản cần phát.",
        "Choose a clip or type the text to broadcast.",
    ),
    "web.emergency.confirm_title": ("Xác nhận phát khẩn cấp", "Confirm the emergency broadcast"),
    "web.emergency.confirm_clip": ("Bài: {title}", "Clip: {title}"),
    "web.emergency.confirm_text": ("Hộp sẽ đọc văn bản này:", "The box will read this text:"),
    "web.emergency.confirm_zones": ("Vùng loa: {zones}", "Zones: {zones}"),
    "web.emergency.confirm_reason": ("Lý do: {reason}", "Reason: {reason}"),
    "web.emergency.confirm_repeat": ("Phát {times} lần", "Number of plays: {times}"),
    "web.emergency.confirm_cut": (
        "Buổi đang phát (nếu có) sẽ bị cắt ngay và không phát lại.",
        "The session on air (if any) is cut at once and not resumed.",
    ),
    "web.emergency.go": ("PHÁT KHẨN CẤP NGAY", "BROADCAST NOW"),
    "web.emergency.back": ("Không phát, quay lại", "Do not broadcast, go back"),
    "web.emergency.stage.starting": ("Đang bắt đầu phát khẩn cấp…", "Starting the emergency broadcast…"),
    "web.emergency.on_air": ("Đang phát khẩn cấp: {reason}.", "Emergency on air: {reason}."),
    "web.emergency.queued": (
        "Lệnh phát khẩn cấp đã nhận ({reason}); phát ngay sau buổi khẩn cấp đang phát.",
        "Emergency accepted ({reason}); it airs right after the emergency on air.",
    ),
    "web.audit.emergency": ("{who} phát khẩn cấp: {target}", "{who} ordered an emergency broadcast: {target}"),
    "web.log.title": ("Nhật ký phát", "Playback log"),
    "web.log.report": ("Báo cáo tháng {month}", "Report for {month}"),
    "web.log.download.xlsx": ("Excel (XLSX)", "Excel (XLSX)"),
    "web.log.download.docx": ("Word (DOCX)", "Word (DOCX)"),
    "web.log.download.json": ("JSON", "JSON"),
    "web.log.download.csv-tong-hop": ("CSV tổng hợp", "CSV summary"),
    "web.log.download.csv-nhat-ky": ("CSV nhật ký", "CSV entries"),
    "web.log.status": ("Kết quả", "Outcome"),
    "web.log.all": ("Tất cả", "All"),
    "web.log.completed": ("Đã phát", "Aired"),
    "web.log.problems": ("Có sự cố (lỗi, bỏ lỡ, gián đoạn, bị cắt)", "Problems (failed, missed, interrupted, cut)"),
    "web.log.campaign": ("Chiến dịch", "Campaign"),
    "web.log.filter": ("Lọc", "Filter"),
    "web.log.count": ("{shown} trong {sessions} của tháng", "{shown} of the month's {sessions}"),
    "web.log.emergency": ("Khẩn cấp", "Emergency"),
    "web.log.late": ("trễ {seconds} giây", "{seconds} s late"),
    "web.log.by": ("lệnh của {who}", "ordered by {who}"),
    "web.log.reason": ("Lý do: {reason}", "Reason: {reason}"),
    "web.log.more": ("Còn {count} buổi cũ hơn: tải báo cáo để xem hết.", "{count} older sessions: download the report to see them all."),
    "web.log.empty": ("Không có buổi phát nào.", "No sessions."),
    "web.audit.report.download": ("{who} tải báo cáo {target}", "{who} downloaded the report {target}"),
    "web.checks.title": ("Kiểm tra", "Checks"),
    "web.checks.what": (
        "Tự kiểm tra như lệnh loaxa selftest: cấu hình, đồng hồ, thẻ nhớ, thiết bị âm thanh, lịch phát, chân rơ-le lúc khởi động; rồi bật từng rơ-le một (bạn nghe tiếng tách và trả lời trên trang này) và phát tiếng bíp 2 giây ra mọi vùng loa.",
        "The self-test of loaxa selftest: config, clock, card, sound device, schedules, relay pins at boot; then each relay clicks in turn (you listen and answer on this page) and a 2-second tone plays into every zone.",
    ),
    "web.checks.daemon_holds": (
        "Chương trình phát đang chạy và đang giữ các rơ-le: tự kiểm tra không được chạy cùng lúc (hai bên sẽ bật tắt rơ-le chồng lên nhau).",
        "The broadcast program is running and holds the relays: the self-test cannot run beside it (both would switch the relays).",
    ),
    "web.checks.stop_first": (
        "Để kiểm tra rơ-le, trên hộp chạy: sudo systemctl stop loaxa, tải lại trang này, chạy tự kiểm tra; xong thì chạy sudo systemctl start loaxa. Trong lúc đó hộp không phát lịch.",
        "To test the relays, run on the box: sudo systemctl stop loaxa, reload this page, run the self-test; then sudo systemctl start loaxa. No schedule airs meanwhile.",
    ),
    "web.checks.daemon_stopped": (
        "Chương trình phát không chạy: có thể tự kiểm tra. Nhớ bật lại chương trình phát sau khi xong.",
        "The broadcast program is not running: the self-test may run. Remember to start the program again afterwards.",
    ),
    "web.checks.run": ("Chạy tự kiểm tra", "Run the self-test"),
    "web.checks.recent": ("Các lần kiểm tra vừa rồi", "Recent self-tests"),
    "web.settings.title": ("Cấu hình", "Config"),
    "web.settings.file": ("Tệp cấu hình: {path}", "Config file: {path}"),
    "web.settings.defaults": ("Hộp đang dùng cấu hình mặc định (chưa có tệp loaxa.toml).", "The box uses the default config (no loaxa.toml yet)."),
    "web.settings.data_dir": ("Thư mục dữ liệu: {path}", "Data folder: {path}"),
    "web.settings.how_to_change": (
        "Chỉ xem. Sửa cấu hình trên hộp (sudo nano /etc/loaxa/loaxa.toml), rồi khởi động lại: sudo systemctl restart loaxa loaxa-web.",
        "Read only. Edit the config on the box (sudo nano /etc/loaxa/loaxa.toml), then restart: sudo systemctl restart loaxa loaxa-web.",
    ),
    "web.audit.selftest": ("{who} chạy tự kiểm tra", "{who} ran the self-test"),
    # --- selftest ---
    "selftest.config": ("Cấu hình", "Config"),
    "selftest.clock": ("Đồng hồ", "Clock"),
    "selftest.disk": ("Dung lượng thẻ nhớ", "Disk space"),
    "selftest.audio": ("Card âm thanh", "Sound card"),
    "selftest.schedules": ("Lịch phát", "Schedules"),
    "selftest.relays": ("Rơ-le và âm thử 1 kHz", "Relays and 1 kHz test tone"),
    "selftest.defaults": ("giá trị mặc định (chưa có loaxa.toml)", "defaults (no loaxa.toml yet)"),
    "selftest.unexpected": (
        "Chụp màn hình này gửi kỹ thuật viên.",
        "Send a photo of this screen to the technician.",
    ),
    "selftest.clock_advice": (
        "Nối mạng để đồng bộ giờ, hoặc sửa giờ rồi chạy: loaxa clock confirm",
        "Connect the network to sync the time, or set it and run: loaxa clock confirm",
    ),
    "selftest.disk_detail": ("còn trống {free} MB ({percent}%)", "{free} MB free ({percent}%)"),
    "selftest.disk_advice": (
        "Cần ít nhất {minimum} MB trống: xuất nhật ký ra USB rồi xoá bài không dùng (loaxa clips remove).",
        "At least {minimum} MB must be free: export to USB and remove unused clips (loaxa clips remove).",
    ),
    "selftest.audio_advice": (
        "Xem tên card bằng 'aplay -L' rồi sửa [audio] device trong loaxa.toml; kiểm tra dây USB của card âm thanh.",
        "Find the card's name with 'aplay -L' and set [audio] device in loaxa.toml; check the sound card's USB cable.",
    ),
    "selftest.schedule_advice": (
        "Chạy 'loaxa schedule check' và sửa theo hướng dẫn.",
        "Run 'loaxa schedule check' and fix what it says.",
    ),
    "selftest.nothing_planned": (
        "{files} tệp lịch, không có buổi phát nào trong 31 ngày tới",
        "{files} schedule files, nothing planned in the next 31 days",
    ),
    "selftest.next": (
        "{files} tệp lịch hợp lệ; buổi kế tiếp {when} ({campaign} / {slot})",
        "{files} valid schedule files; next session {when} ({campaign} / {slot})",
    ),
    "selftest.did_it_click": (
        "Rơ-le '{name}' vừa đóng rồi nhả. Có nghe tiếng tách không?",
        "Relay '{name}' just closed and opened. Did you hear it click?",
    ),
    "selftest.did_you_hear": (
        "Có nghe âm thử 1 kHz trên loa không?",
        "Did you hear the 1 kHz tone on the speakers?",
    ),
    "selftest.tone_failed": (
        "không phát được âm thử: {error}",
        "the test tone did not play: {error}",
    ),
    "selftest.not_confirmed": (
        "không nghe tiếng rơ-le: {relays}; nghe âm thử: {tone}",
        "relays not heard: {relays}; tone heard: {tone}",
    ),
    "selftest.relay_advice": (
        "Kiểm tra dây nối rơ-le, nguồn JD-VCC và 'active_high' trong loaxa.toml (bo kích mức thấp: false).",
        "Check the relay wiring, the JD-VCC supply and 'active_high' in loaxa.toml (active-low boards: false).",
    ),
    "selftest.relays_ok": (
        "{count} rơ-le đóng cắt được; âm thử {seconds} giây đã phát",
        "Relays switched: {count}; the {seconds} s tone played",
    ),
    "selftest.yes": ("có", "yes"),
    "selftest.no": ("không", "no"),
    "selftest.summary_ok": ("✔ Hộp sẵn sàng phát.", "✔ The box is ready to broadcast."),
    "selftest.summary_fail": (
        "✘ {count} chưa đạt; sửa theo hướng dẫn ở trên rồi chạy lại: loaxa selftest",
        "✘ {count} not passed; fix them as shown above and run again: loaxa selftest",
    ),
    "cli.help.selftest": (
        "kiểm tra hộp sau khi lắp đặt (rơ-le, card âm thanh, đồng hồ, lịch)",
        "check the box after installation (relays, sound card, clock, schedules)",
    ),
    # --- relay pins at boot (bootpins.py, install.sh, selftest) ---
    "selftest.boot_pins": ("Rơ-le lúc khởi động", "Relays at power-on"),
    "bootpins.ok": (
        "{line}: rơ-le tắt ngay từ lúc cấp điện",
        "{line}: the relays are off from power-on",
    ),
    "bootpins.not_a_pi": (
        "không có config.txt (không phải Raspberry Pi), không cần kiểm tra",
        "no config.txt (not a Raspberry Pi): nothing to check",
    ),
    "bootpins.not_needed": (
        "rơ-le không nối chân GPIO (backend = {backend}), không cần dòng gpio= lúc khởi động",
        "the relays are not on GPIO pins (backend = {backend}): no gpio= line is needed at boot",
    ),
    "bootpins.missing": (
        "{file} không giữ {pins} ở mức tắt lúc khởi động: 20–40 giây đầu rơ-le có thể tự đóng",
        "{file} does not hold {pins} at OFF at boot: the relays may switch on for the first 20–40 s",
    ),
    "bootpins.wrong_level": (
        "{file} đặt {pins} ở mức BẬT rơ-le lúc khởi động (sai với active_high trong loaxa.toml)",
        "{file} drives {pins} to the relays' ON level at boot (against active_high in loaxa.toml)",
    ),
    "bootpins.extra": (
        "{file} vẫn điều khiển {pins} lúc khởi động, nhưng các chân này không còn là rơ-le",
        "{file} still drives {pins} at boot, but they are no longer relay pins",
    ),
    "bootpins.stale": (
        "{file} vẫn còn khối chân rơ-le của Loa Xã, nhưng rơ-le không còn nối chân GPIO",
        "{file} still holds Loa Xã's relay-pin block, but the relays are no longer on GPIO pins",
    ),
    "bootpins.advice": (
        "Chạy lại: sudo bash hardware/install.sh — hoặc ghi dòng này vào cuối {file} (dưới [all]) rồi khởi động lại: {line}",
        "Run again: sudo bash hardware/install.sh — or write this line at the end of {file} (under [all]) and reboot: {line}",
    ),
    "bootpins.rerun_install": (
        "Chạy lại: sudo bash hardware/install.sh (nó xoá khối đó) rồi khởi động lại.",
        "Run again: sudo bash hardware/install.sh (it removes the block) and reboot.",
    ),
    "bootpins.unknown_pin": (
        "không biết số GPIO (BCM) của chân '{pin}'; ghi số, ví dụ 17 hoặc \"GPIO17\"",
        "cannot tell the GPIO (BCM) number of pin '{pin}'; write the number, e.g. 17 or \"GPIO17\"",
    ),
    # --- cli ---
    "demo.header": (
        "Loa Xã — TRÌNH DIỄN. Thư mục dữ liệu tạm: {data_dir}\nChân GPIO giả lập, âm thanh ghi vào tệp WAV thay cho loa.",
        "Loa Xã — DEMO. Temporary data folder: {data_dir}\nMock GPIO pins; audio is written to a WAV file instead of the speakers.",
    ),
    "demo.no_samples": (
        "Không có tệp âm thanh mẫu trong '{folder}'.",
        "No sample clips in '{folder}'.",
    ),
    "demo.schedule_written": ("Lịch trình diễn: {path}", "Demo schedule: {path}"),
    "demo.log_header": ("NHẬT KÝ PHÁT", "PLAYBACK LOG"),
    "demo.counts_header": ("SỐ LƯỢT ĐÃ PHÁT TRỌN VẸN, THEO BÀI", "COMPLETED PLAYS PER CLIP"),
    "demo.count_line": ("  {title}: {count}", "  {title}: {count}"),
    "demo.audio_written": (
        "Âm thanh đã phát ({seconds} giây): {path}",
        "What was played ({seconds} s): {path}",
    ),
    "demo.done_ok": (
        "✔ Trình diễn xong. Dữ liệu để lại ở {data_dir}",
        "✔ Demo finished. Its data is left in {data_dir}",
    ),
    "demo.done_problem": (
        "✘ Trình diễn có buổi phát không trọn vẹn; xem nhật ký ở trên. Dữ liệu: {data_dir}",
        "✘ Some demo sessions did not complete; see the log above. Data: {data_dir}",
    ),
    "cli.description": (
        "Loa Xã — điều khiển đài truyền thanh xã: thư viện bài, lịch phát, rơ-le, nhật ký.",
        "Loa Xã — commune loudspeaker controller: clip library, schedules, relays, playback log.",
    ),
    "cli.help.init": (
        "tạo tệp cấu hình mẫu và thư mục dữ liệu",
        "create a sample config and the data folders",
    ),
    "cli.help.clips": ("thư viện bài phát", "the clip library"),
    "cli.help.emergency": (
        "phát khẩn cấp ngay: cắt buổi đang phát (thiên tai, hoả hoạn, dịch bệnh)",
        "broadcast an emergency now: cuts the session on air (disaster, fire, epidemic)",
    ),
    "cli.help.emergency_reason": ("lý do, ghi vào nhật ký và báo cáo", "the reason, kept in the log and the report"),
    "cli.order_on_air": (
        "✔ Chương trình phát đã nhận lệnh và đang phát (mã buổi {session_id}). Xem: loaxa log",
        "✔ The broadcast program took the order and is on air (session {session_id}). See: loaxa log",
    ),
    "cli.order_queued": (
        "✔ Chương trình phát đã nhận lệnh; buổi này chờ đến lượt. Xem: loaxa log",
        "✔ The broadcast program took the order; the session waits its turn. See: loaxa log",
    ),
    "cli.help.clips_say": (
        "đọc một văn bản tiếng Việt thành bài phát (TTS)",
        "read a Vietnamese text into a clip (text-to-speech)",
    ),
    "cli.help.say_text": ("nội dung cần đọc, trong ngoặc kép", "the text to read, in quotes"),
    "cli.help.say_file": (
        "đọc nội dung từ tệp văn bản UTF-8 (thay cho nội dung gõ trực tiếp)",
        "read the text from a UTF-8 text file (instead of typing it)",
    ),
    "cli.say_text_or_file": (
        'Hãy cho nội dung cần đọc, hoặc trong ngoặc kép (loaxa clips say "…" --title …), hoặc bằng --file TỆP, không cả hai.',
        'Give the text to read, either in quotes (loaxa clips say "…" --title …) or with --file FILE, not both.',
    ),
    "cli.clip_said": (
        "✔ Đã đọc thành bài '{id}' — \"{title}\" ({duration}, giọng {engine}). Nghe thử: loaxa play {id} --zones <một vùng>",
        "✔ Read into clip '{id}' — \"{title}\" ({duration}, voice {engine}). Listen first: loaxa play {id} --zones <one zone>",
    ),
    "cli.help.clips_import": (
        "nhập tệp âm thanh (MP3, WAV, M4A, OGG, FLAC)",
        "import audio files (MP3, WAV, M4A, OGG, FLAC)",
    ),
    "cli.help.translation_of": (
        "bài này là bản dịch (sang tiếng --clip-lang) của bài có mã ID",
        "this clip is the translation (into --clip-lang) of clip ID",
    ),
    "cli.help.clips_list": ("liệt kê các bài", "list the clips"),
    "cli.help.clips_remove": ("xoá một bài", "remove a clip"),
    "cli.help.schedule": ("lịch phát", "schedules"),
    "cli.help.schedule_check": ("kiểm tra tệp lịch", "check schedule files"),
    "cli.help.schedule_show": (
        "xem kế hoạch phát các ngày tới",
        "show the plan for the coming days",
    ),
    "cli.help.play": ("phát ngay một hoặc nhiều bài", "broadcast clips now"),
    "cli.help.live": (
        "phát trực tiếp từ micro/đường vào đến khi bấm Ctrl-C, nút Dừng hoặc hết [live] max_minutes",
        "the microphone/line input on air until Ctrl-C, the stop button or [live] max_minutes",
    ),
    "cli.help.live_by": (
        "ai phát (ghi vào nhật ký); mặc định: tên người dùng",
        "who is speaking (kept in the log); default: the user name",
    ),
    "cli.help.live_device": (
        "thiết bị thu ALSA thay cho [live] device (xem: arecord -L)",
        "ALSA capture device instead of [live] device (see: arecord -L)",
    ),
    "cli.plan_relay": ("⇄ tiếp sóng {source}", "⇄ relay of {source}"),
    "live.not_on_air": (
        "Micro chưa lên sóng: {error}",
        "The microphone is not on air: {error}",
    ),
    "live.ended": (
        "Micro đã tắt: {seconds} giây trên sóng ({status}).",
        "The microphone is off: {seconds} s on air ({status}).",
    ),
    "live.on_air": (
        "Micro đang lên sóng sau khi âm ly khởi động. Bấm Ctrl-C (hoặc nút Dừng) để kết thúc; tự tắt sau {minutes} phút.",
        "The microphone goes on air once the amplifier has warmed up. Press Ctrl-C (or the stop button) to end; it switches off after {minutes} min.",
    ),
    "cli.help.run": (
        "chạy theo lịch (dịch vụ chính của hộp)",
        "run the schedule (the box's main service)",
    ),
    "cli.help.clock": (
        "đồng hồ có đáng tin không; xác nhận giờ khi không có mạng",
        "is the clock trusted; confirm the time when offline",
    ),
    "clock.confirmed_now": (
        "Đã xác nhận giờ {now} là đúng cho đến lần khởi động lại tới. Nếu giờ sai, hãy sửa giờ trước rồi xác nhận lại.",
        "Confirmed {now} as the right time until the next reboot. If it is wrong, set the time first, then confirm again.",
    ),
    "cli.help.report": (
        "báo cáo tháng (DOCX, XLSX, CSV, JSON); 'merge' để tổng hợp các trạm của xã hoặc các xã của tỉnh",
        "monthly report (DOCX, XLSX, CSV, JSON); 'merge' to add up a commune's stations or a province's communes",
    ),
    "cli.help.report_merge": (
        "gộp báo cáo JSON: các trạm của một xã thành bảng của xã, nhiều xã thành bảng của tỉnh",
        "merge JSON exports: one commune's stations into its table, many communes into the province's",
    ),
    "cli.help.usb": ("trao đổi với thẻ nhớ USB", "USB stick exchange"),
    "cli.help.usb_sync": (
        "xuất báo cáo, nhập bài và lịch từ thư mục của thẻ nhớ",
        "export reports, import clips and schedules from a stick folder",
    ),
    "cli.report_written": ("✔ đã ghi {path}", "✔ wrote {path}"),
    "cli.report_summary": (
        "Trong tháng: {sessions} trọn vẹn, {plays}, {minutes} phút; {problems} bị gián đoạn, lỗi hoặc bỏ lỡ.",
        "This month: {sessions} completed, {plays}, {minutes} min on air; {problems} interrupted, failed or missed.",
    ),
    "cli.help.log": ("xem nhật ký phát", "show the playback log"),
    "cli.help.demo": (
        "trình diễn một ngày phát, nén lại trong chưa đầy một phút",
        "demonstrate a day of broadcasts in under a minute",
    ),
    "init.exists": (
        "Tệp cấu hình '{path}' đã có; giữ nguyên (dùng --force để ghi đè).",
        "Config '{path}' exists; left as it is (use --force to overwrite).",
    ),
    "init.written": ("Đã tạo tệp cấu hình mẫu '{path}'.", "Wrote the sample config '{path}'."),
    "init.device_found": (
        "Tìm thấy card âm thanh USB '{device}'; đặt [audio] device = \"{device}\" nếu chưa đặt.",
        "Found the USB sound card '{device}'; set [audio] device = \"{device}\" if not done yet.",
    ),
    "init.device_set": (
        "Đã chọn card âm thanh USB '{device}' cho loa ([audio] device).",
        "Chose the USB sound card '{device}' for the speakers ([audio] device).",
    ),
    "init.no_device": (
        "Chưa thấy card âm thanh USB; cắm card rồi xem tên bằng 'aplay -L' và sửa [audio] device.",
        "No USB sound card found; plug it in, find its name with 'aplay -L' and set [audio] device.",
    ),
    "init.next_steps": (
        "Tiếp theo: 1) sửa tên xã, chân rơ-le trong {config}; 2) nhập bài: loaxa clips import TỆP.mp3; 3) chép tệp lịch vào {data_dir}/schedules rồi chạy: loaxa schedule check",
        "Next: 1) set the commune name and relay pins in {config}; 2) import clips: loaxa clips import FILE.mp3; 3) put schedule files in {data_dir}/schedules and run: loaxa schedule check",
    ),
    "cli.clip_imported": (
        "✔ đã nhập '{title}' → mã {id} ({duration}, tiếng {language})",
        "✔ imported '{title}' → id {id} ({duration}, language {language})",
    ),
    "cli.clips_empty": (
        "Thư viện chưa có bài nào. Nhập bài: loaxa clips import TỆP.mp3",
        "The library is empty. Import clips: loaxa clips import FILE.mp3",
    ),
    "cli.clip_removed": ("Đã xoá bài '{title}' ({id}).", "Removed clip '{title}' ({id})."),
    "cli.no_schedule_files": (
        "Chưa có tệp lịch nào trong '{folder}'.",
        "There is no schedule file in '{folder}'.",
    ),
    "cli.check_failed": (
        "{errors} trong {files}. Sửa các dòng trên rồi kiểm tra lại.",
        "{errors} in {files}. Fix the lines above and check again.",
    ),
    "cli.check_ok": ("✔ {files} hợp lệ.", "✔ {files} checked: all valid."),
    "cli.runs_last_good": (
        "→ Hộp đang chạy bản đúng trước đó của '{file}' (lưu lúc {saved}) cho đến khi tệp được sửa.",
        "→ The box runs the last good version of '{file}' (saved {saved}) until the file is fixed.",
    ),
    "cli.last_good_refused": (
        "→ Bản đúng trước đó của '{file}' cũng không dùng được nữa ({reason}); tệp này không phát gì.",
        "→ The last good version of '{file}' cannot run either ({reason}); nothing of this file plays.",
    ),
    "cli.plan_last_good": ("bản trước", "last good"),
    "cli.plan_awaiting": ("chờ duyệt, không phát", "awaiting approval, not airing"),
    "cli.help.schedule_approve": (
        "ghi nhận lãnh đạo xã đã duyệt một tệp lịch (đúng nội dung hiện tại)",
        "record that the commune leadership approved a schedule file (its text as it is now)",
    ),
    "cli.help.schedule_refuse": (
        "ghi nhận lãnh đạo xã không duyệt một tệp lịch, kèm lý do",
        "record that the commune leadership refused a schedule file, with the reason",
    ),
    "cli.help.approval_by": (
        'ai duyệt: "Họ tên, chức vụ"',
        'who decides: "Name, position"',
    ),
    "cli.approved": (
        "✔ Đã ghi: lịch {file} được {by} duyệt (mã nội dung {sha}…). Sửa tệp dù một ký tự thì phải duyệt lại.",
        "✔ Recorded: schedule {file} approved by {by} (content hash {sha}…). Any edit, even one character, needs a new approval.",
    ),
    "cli.refused": (
        "✔ Đã ghi: lịch {file} bị {by} từ chối ({reason}). Tệp vẫn để trong thư mục nhưng không được phát.",
        "✔ Recorded: schedule {file} refused by {by} ({reason}). The file stays in the folder but does not air.",
    ),
    "cli.approval_not_required": (
        "! Hộp này chưa yêu cầu duyệt lịch ([policy] require_approval = false): mọi tệp hợp lệ đều được phát.",
        "! This box does not require approval ([policy] require_approval = false): every valid file airs.",
    ),
    "cli.plan_past_hidden": (
        "({sessions} đã qua hôm nay không hiện ở đây; xem những gì đã phát: loaxa log)",
        "({sessions} earlier today not shown; what played: loaxa log)",
    ),
    "cli.plan_empty": (
        "Không có buổi phát nào từ {first} đến {last}.",
        "No session is planned from {first} to {last}.",
    ),
    "cli.bad_month": (
        "'{month}' không phải là tháng; hãy viết YYYY-MM, ví dụ 2024-09",
        "'{month}' is not a month; write YYYY-MM, e.g. 2024-09",
    ),
    "cli.log_empty": ("Nhật ký phát chưa có mục nào.", "The playback log is empty."),
    # --- command line: languages, batch import, system errors, the log (issue 10) ---
    # --- the web panel's commands (issue 14): loaxa web, loaxa users ---
    "cli.help.web": (
        "chạy trang điều khiển cho điện thoại (dịch vụ loaxa-web)",
        "serve the control panel for a phone (the loaxa-web service)",
    ),
    "cli.help.web_host": (
        "địa chỉ nghe (mặc định: [web] host)",
        "address to listen on (default: [web] host)",
    ),
    "cli.help.web_port": ("cổng (mặc định: [web] port)", "port (default: [web] port)"),
    "cli.help.users": ("tài khoản của trang điều khiển", "the control panel's accounts"),
    "cli.help.users_add": (
        "tạo tài khoản; in ra mật khẩu dùng một lần",
        "create an account; prints a one-time password",
    ),
    "cli.help.users_role": (
        "vai trò: can-bo, lanh-dao, ky-thuat (ghi nhiều lần cho nhiều vai trò)",
        "role: can-bo, lanh-dao, ky-thuat (repeat for several)",
    ),
    "cli.help.users_list": ("liệt kê tài khoản", "list the accounts"),
    "cli.help.users_remove": ("xoá một tài khoản", "remove an account"),
    "cli.help.users_reset": (
        "cấp lại mật khẩu dùng một lần (khi quên mật khẩu)",
        "give a new one-time password (a forgotten password)",
    ),
    "cli.users.added": ("Đã tạo tài khoản {name} ({roles}).", "Created the account {name} ({roles})."),
    "cli.users.one_time": ("Mật khẩu dùng một lần: {password}", "One-time password: {password}"),
    "cli.users.roles": ("Vai trò", "Roles"),
    "cli.users.empty": (
        'Chưa có tài khoản nào. Tạo tài khoản kỹ thuật đầu tiên: loaxa users add "Tên" --role ky-thuat',
        'No accounts yet. Create the first technician\'s: loaxa users add "Name" --role ky-thuat',
    ),
    "cli.help.lang": ("ngôn ngữ thông báo (vi, en)", "message language (vi, en)"),
    "cli.help.clip_lang": (
        "tiếng của bài: vi, ede, jra, hmn… (mặc định vi)",
        "language spoken in the clip: vi, ede, jra, hmn… (default vi)",
    ),
    "cli.clip_lang_old_spelling": (
        "'--lang {value}' sau 'clips import' được hiểu là tiếng của bài; từ nay hãy viết '--clip-lang {value}' ('--lang vi' hoặc '--lang en' là ngôn ngữ thông báo).",
        "'--lang {value}' after 'clips import' is taken as the clip's language; write '--clip-lang {value}' from now on ('--lang vi' or '--lang en' is the message language).",
    ),
    "cli.import_summary": (
        "{imported} đã nhập, {refused} bị từ chối, {present} đã có trong thư viện.",
        "{imported} imported, {refused} refused, {present} already in the library.",
    ),
    "count.play.one": ("{n} lượt", "{n} play"),
    "count.play.other": ("{n} lượt", "{n} plays"),
    "count.check.one": ("{n} mục", "{n} check"),
    "count.check.other": ("{n} mục", "{n} checks"),
    "count.clip.one": ("{n} bài", "{n} clip"),
    "count.clip.other": ("{n} bài", "{n} clips"),
    "count.file.one": ("{n} tệp", "{n} file"),
    "count.file.other": ("{n} tệp", "{n} files"),
    "cli.os_error": (
        "Không thực hiện được với '{path}': {detail}.",
        "Could not do this with '{path}': {detail}.",
    ),
    "cli.os_error_nopath": ("Không thực hiện được: {detail}.", "Could not do this: {detail}."),
    "log.relay": (
        "⇄ tiếp sóng {source} (mất sóng {dropouts} lần)",
        "⇄ relay of {source} ({dropouts} drop-out(s))",
    ),
    "log.live": ("● phát trực tiếp: {by}", "● live: {by}"),
    "log.manual": ("Phát tay: {titles}", "Manual: {titles}"),
    "log.manual_untitled": ("Phát tay", "Manual"),
    "col.id": ("Mã", "Id"),
    "col.title": ("Tên bài", "Title"),
    "col.language": ("Tiếng", "Language"),
    "col.duration": ("Thời lượng", "Duration"),
    "col.imported": ("Ngày nhập", "Imported"),
    "col.file": ("Tệp âm thanh", "Audio file"),
    "col.date": ("Ngày", "Date"),
    "col.time": ("Giờ", "Time"),
    "col.campaign": ("Chiến dịch", "Campaign"),
    "col.slot": ("Khung giờ", "Slot"),
    "col.clips": ("Bài phát", "Clips"),
    "col.zones": ("Vùng loa", "Zones"),
    "col.tier": ("Mức độ", "Tier"),
    "col.status": ("Kết quả", "Status"),
    "col.what": ("Nội dung", "What"),
    "col.note": ("Ghi chú", "Note"),
    "weekday.0": ("T2", "Mon"),
    "weekday.1": ("T3", "Tue"),
    "weekday.2": ("T4", "Wed"),
    "weekday.3": ("T5", "Thu"),
    "weekday.4": ("T6", "Fri"),
    "weekday.5": ("T7", "Sat"),
    "weekday.6": ("CN", "Sun"),
    "status.started": ("đang phát", "started"),
    "status.completed": ("đã phát", "completed"),
    "status.interrupted": ("gián đoạn", "interrupted"),
    "status.failed": ("lỗi", "failed"),
    "status.missed": ("bỏ lỡ", "missed"),
}


def t(key: str, /, **params: object) -> str:
    """Render message *key* in the current language."""
    vi, en = CATALOG[key]
    text = en if language() == "en" else vi
    return text.format(**params)


def plural(n: int, noun: str) -> str:
    """ "1 file", "2 files" (English), "2 tệp" (Vietnamese has no plural): the catalogue's
    ``count.<noun>.one`` and ``count.<noun>.other``."""
    return t(f"count.{noun}.{'one' if n == 1 else 'other'}", n=n)


class LoaxaError(Exception):
    """A failure the operator can act on; rendered through the catalogue when printed."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)


# tomllib's messages, position removed ("Invalid value (at line 3, column 9)").
_TOML_POSITION = re.compile(r"\s*\(at (?:line \d+, column \d+|end of document)\)\s*$")
_TOML_MESSAGES = (
    (re.compile(r"Invalid statement"), "syserr.toml.statement"),
    (re.compile(r"Invalid value"), "syserr.toml.value"),
    (re.compile(r"Expected '=' after a key"), "syserr.toml.equals"),
    (re.compile(r"Unclosed array"), "syserr.toml.unclosed_array"),
    (re.compile(r"Unclosed inline table"), "syserr.toml.unclosed_table"),
    (re.compile(r"Unterminated string"), "syserr.toml.unterminated"),
    (re.compile(r"Expected '\]' at the end of a table"), "syserr.toml.table_bracket"),
    (re.compile(r"Expected '\]\]' at the end of an array"), "syserr.toml.array_bracket"),
    (re.compile(r"Cannot declare \((?P<key>.*)\) twice"), "syserr.toml.twice"),
    (re.compile(r"Expected newline or end of document"), "syserr.toml.newline"),
    (re.compile(r"Cannot overwrite a value"), "syserr.toml.overwrite"),
    (re.compile(r"Invalid date or datetime"), "syserr.toml.date"),
    (re.compile(r"(?:Illegal|Found invalid) character (?P<char>.*)"), "syserr.toml.character"),
    (re.compile(r"Invalid initial character for a key part"), "syserr.toml.key"),
)


@dataclass(frozen=True)
class ErrorText:
    """A system error as a message parameter, rendered in the language of the moment.

    ``str()`` gives the sentence in the current language, so a message that carries
    it prints entirely in Vietnamese (or English), like every other parameter.
    """

    key: str
    params: tuple[tuple[str, object], ...] = ()
    fallback: str = ""

    def __str__(self) -> str:
        return t(self.key, **dict(self.params)) if self.key else self.fallback


def error_text(error: BaseException | int) -> ErrorText:
    """What went wrong, for an operator: an ``OSError`` (or a bare errno) from the errno
    table a box meets (stick pulled out, card full, write-protected, permissions…),
    a UTF-8, JSON or TOML decoding error, in the operator's language.

    Anything else falls back to the system's own text (``strerror`` with its code, or
    ``str(error)``): an English sentence is better than none. Pass the result as a
    message parameter (``detail=error_text(exc)``).
    """
    if isinstance(error, int | OSError):
        code = error if isinstance(error, int) else error.errno
        name = errno.errorcode.get(code or -1, "")
        if f"syserr.{name}" in CATALOG:
            return ErrorText(f"syserr.{name}")
        if code is None:  # an OSError raised with a message only
            return ErrorText("", fallback=str(error))
        text = (error.strerror if isinstance(error, OSError) else None) or os.strerror(code)
        return ErrorText("syserr.other", (("text", text), ("code", name or code)))
    if isinstance(error, UnicodeDecodeError):
        byte = error.object[error.start] if error.start < len(error.object) else 0
        return ErrorText("syserr.not_utf8", (("byte", byte), ("position", error.start)))
    if isinstance(error, json.JSONDecodeError):
        return ErrorText("syserr.json", (("line", error.lineno), ("column", error.colno)))
    if isinstance(error, tomllib.TOMLDecodeError):
        message = _TOML_POSITION.sub("", str(error))
        for pattern, key in _TOML_MESSAGES:
            if match := pattern.match(message):
                found = match.groupdict()
                if "key" in found:  # "('relays', 'zones')" -> "[relays.zones]"
                    found["key"] = "[" + ".".join(re.findall(r"'([^']*)'", found["key"])) + "]"
                return ErrorText(key, tuple(found.items()))
        return ErrorText("", fallback=message)
    return ErrorText("", fallback=str(error))
