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
    "config.not_utf8": (
        "{file}, dòng {line}: tệp cấu hình không lưu bằng bảng mã UTF-8. Mở tệp, chọn Lưu thành → Mã hoá: UTF-8, rồi lưu lại.",
        "{file}, line {line}: the config file is not saved as UTF-8. Open it, choose Save as → Encoding: UTF-8, and save again.",
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
        "File '{name}' is damaged: {errors} errors while decoding (first: {detail}). Copy the file again, or export it again as MP3 or WAV and import it again.",
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
    "clips.bad_title": (
        "Tên bài cho tệp '{name}' đang để trống. Hãy đặt một tên bài có chữ, ví dụ \"Thông báo tắt sóng 2G\".",
        "The title for file '{name}' is empty. Give the clip a title with words in it, e.g. \"Thông báo tắt sóng 2G\".",
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
        "{value} is not a date: month {month}/{year} has only {days} days",
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
        "Loa Xã đang chạy: {count} buổi phát trong 26 giờ tới. Buổi kế tiếp: {next}",
        "Loa Xã is running: {count} sessions in the next 26 hours. Next: {next}",
    ),
    "daemon.status": (
        "{count} buổi phát trong 26 giờ tới",
        "{count} sessions in the next 26 hours",
    ),
    "daemon.nothing_planned": ("không có buổi nào", "none"),
    "daemon.stopping": ("Đang dừng Loa Xã…", "Stopping Loa Xã…"),
    "daemon.schedules_unreadable": (
        "Không đọc được thư mục lịch phát: {detail}",
        "Cannot read the schedules folder: {detail}",
    ),
    "daemon.kept_last_good": (
        "Tệp lịch '{file}' có lỗi nên bị từ chối; hộp tiếp tục dùng bản đúng trước đó của tệp này.",
        "Schedule '{file}' has errors and was refused; the box keeps running its last good version.",
    ),
    "daemon.refused": (
        "Tệp lịch '{file}' có lỗi nên chưa được dùng. Sửa lỗi theo các dòng trên rồi lưu lại.",
        "Schedule '{file}' has errors and is not used. Fix the lines above and save it again.",
    ),
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
        "Có xã xuất hiện hai lần với số liệu khác nhau, không thể cộng: {detail}. Giữ lại một tệp (bản mới nhất) cho mỗi xã rồi gộp lại.",
        "A commune appears twice with different figures and cannot be added up: {detail}. Keep one file (the latest) per commune and merge again.",
    ),
    "report.merge_identical": (
        "{commune} có hai tệp giống hệt nhau ({files}); chỉ tính một lần.",
        "{commune} has identical files ({files}); counted once.",
    ),
    "report.merge_mixed_campaigns": (
        "Các xã báo cáo nội dung khác nhau ({values}); số liệu cộng lại không cùng phạm vi.",
        "The communes reported different scopes ({values}); the totals mix them.",
    ),
    "report.merge_mixed_districts": (
        "Các xã thuộc nhiều huyện/tỉnh khác nhau: {values}.",
        "The communes belong to different districts/provinces: {values}.",
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
    "panel.no_stick": ("Không thấy thẻ nhớ USB nào đã cắm.", "No mounted USB stick was found."),
    "panel.exported": (
        "Đã trao đổi xong với thẻ nhớ {path}.",
        "Finished the exchange with the stick at {path}.",
    ),
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
        "{count} relays switch; the {seconds} s tone played",
    ),
    "selftest.yes": ("có", "yes"),
    "selftest.no": ("không", "no"),
    "selftest.summary_ok": ("✔ Hộp sẵn sàng phát.", "✔ The box is ready to broadcast."),
    "selftest.summary_fail": (
        "✘ {count} mục chưa đạt; sửa theo hướng dẫn ở trên rồi chạy lại: loaxa selftest",
        "✘ {count} checks failed; fix them as shown above and run again: loaxa selftest",
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
    "demo.count_line": ("  {title}: {count} lượt", "  {title}: {count} plays"),
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
    "cli.help.clips_import": (
        "nhập tệp âm thanh (MP3, WAV, M4A, OGG, FLAC)",
        "import audio files (MP3, WAV, M4A, OGG, FLAC)",
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
        "báo cáo tháng (DOCX, XLSX, CSV, JSON); 'merge' để tổng hợp cấp huyện",
        "monthly report (DOCX, XLSX, CSV, JSON); 'merge' for the district",
    ),
    "cli.help.report_merge": (
        "gộp báo cáo JSON của nhiều xã thành báo cáo huyện",
        "merge many communes' JSON exports into a district report",
    ),
    "cli.help.usb": ("trao đổi với thẻ nhớ USB", "USB stick exchange"),
    "cli.help.usb_sync": (
        "xuất báo cáo, nhập bài và lịch từ thư mục của thẻ nhớ",
        "export reports, import clips and schedules from a stick folder",
    ),
    "cli.report_written": ("✔ đã ghi {path}", "✔ wrote {path}"),
    "cli.report_summary": (
        "Trong tháng: {sessions} buổi phát trọn vẹn, {plays} lượt, {minutes} phút; {problems} buổi bị gián đoạn, lỗi hoặc bỏ lỡ.",
        "This month: {sessions} completed sessions, {plays} plays, {minutes} minutes; {problems} sessions interrupted, failed or missed.",
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
        "{errors} lỗi trong {files} tệp lịch. Sửa các dòng trên rồi kiểm tra lại.",
        "{errors} errors in {files} schedule files. Fix the lines above and check again.",
    ),
    "cli.check_ok": ("✔ {files} tệp lịch hợp lệ.", "✔ {files} schedule files are valid."),
    "cli.plan_empty": (
        "Không có buổi phát nào từ {first} đến {last}.",
        "No session is planned from {first} to {last}.",
    ),
    "cli.bad_month": (
        "'{month}' không phải là tháng; hãy viết YYYY-MM, ví dụ 2024-09",
        "'{month}' is not a month; write YYYY-MM, e.g. 2024-09",
    ),
    "cli.log_empty": ("Nhật ký phát chưa có mục nào.", "The playback log is empty."),
    "col.id": ("Mã", "Id"),
    "col.title": ("Tên bài", "Title"),
    "col.language": ("Tiếng", "Language"),
    "col.duration": ("Thời lượng", "Duration"),
    "col.imported": ("Ngày nhập", "Imported"),
    "col.date": ("Ngày", "Date"),
    "col.time": ("Giờ", "Time"),
    "col.campaign": ("Chiến dịch", "Campaign"),
    "col.slot": ("Khung giờ", "Slot"),
    "col.clips": ("Bài phát", "Clips"),
    "col.zones": ("Vùng loa", "Zones"),
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
