#!/usr/bin/env bash
# Make the sample announcement clips shipped in firmware_host/samples/ (see audio/README.md).
#
# Speech: espeak-ng's Vietnamese voice (robotic, but free and reproducible, and it
# needs no recording studio). Each clip is then encoded small and in a different
# format (MP3, OGG Opus, M4A/AAC) so that importing them exercises the importer's
# format variety. The file name is the clip's title: importing
# "Thông báo tắt sóng 2G.mp3" gives the id "thong-bao-tat-song-2g".
#
# Usage: audio/make_samples.sh            (writes into firmware_host/samples/)
# Needs: espeak-ng (with the vi voice) and ffmpeg with libmp3lame, libopus and aac.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../firmware_host/samples" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for tool in espeak-ng ffmpeg; do
    command -v "$tool" >/dev/null || { echo "missing: $tool (apt-get install $tool)" >&2; exit 1; }
done

# speak TEXT OUT.wav: Northern Vietnamese voice, a little slower than the default
# 175 words/min so that it stays intelligible through a horn loudspeaker.
speak() {
    espeak-ng -v vi -s 150 -w "$2" "$1"
}

# encode IN.wav OUT ARGS...: mono, no metadata, bit-exact so that re-running the
# script gives the same bytes (and git sees no change).
encode() {
    local in="$1" out="$2"
    shift 2
    ffmpeg -nostdin -hide_banner -loglevel error -y -i "$in" -ac 1 \
        -map_metadata -1 -fflags +bitexact -flags:a +bitexact "$@" "$out"
}

# 1. The shutdown itself. The date is the one in force: Thông tư 10/2024/TT-BTTTT
#    moved the end of service for 2G-only phones from 16/9/2024 to after 15/10/2024
#    (typhoon Yagi), so the announcement says 16 October.
speak "Thông báo của Ủy ban nhân dân xã. Từ ngày 16 tháng 10 năm 2024, các điện thoại chỉ dùng được sóng 2G sẽ không gọi được nữa." \
    "$work/1.wav"
encode "$work/1.wav" "$work/1.mp3" -c:a libmp3lame -b:a 48k -ar 22050
mv "$work/1.mp3" "$here/Thông báo tắt sóng 2G.mp3"

# 2. Where to get help.
speak "Máy chỉ có sóng 2G, bà con hãy mang máy và căn cước đến bưu điện văn hóa xã hoặc cửa hàng nhà mạng để được hỗ trợ đổi sang máy 4G." \
    "$work/2.wav"
encode "$work/2.wav" "$work/2.ogg" -c:a libopus -b:a 24k -ar 48000 -application voip
mv "$work/2.ogg" "$here/Hướng dẫn chuyển 4G.ogg"

# 3. The scams that ride on every such campaign.
speak "Cảnh giác lừa đảo. Nhà mạng và cán bộ xã không bao giờ xin mã OTP để đổi sang 4G. Ai hỏi mã, hãy tắt máy và báo công an xã." \
    "$work/3.wav"
encode "$work/3.wav" "$work/3.m4a" -c:a aac -b:a 32k -ar 22050
mv "$work/3.m4a" "$here/Cảnh báo lừa đảo đổi SIM.m4a"

for f in "$here"/*.mp3 "$here"/*.ogg "$here"/*.m4a; do
    printf '%8s bytes  %6ss  %s\n' "$(stat -c %s "$f")" \
        "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")" "$(basename "$f")"
done
