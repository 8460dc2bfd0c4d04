#!/usr/bin/env bash
# Loa Xã on Debian 13 "trixie" (what Raspberry Pi OS is built on now: Python 3.13, ffmpeg 7.1),
# checked in chroots. Run by hand, as root, before a release (it is too slow for CI):
#
#   sudo bash scripts/chroot-check.sh suite           the test suite (scripts/dev.sh test) in an
#                                                     amd64 trixie chroot
#   sudo bash scripts/chroot-check.sh install armhf   hardware/install.sh (twice), then `loaxa demo`,
#   sudo bash scripts/chroot-check.sh install arm64   in a 32-/64-bit ARM trixie chroot under
#                                                     qemu-user, with no C compiler in it
#   sudo bash scripts/chroot-check.sh all             the three in turn
#   sudo bash scripts/chroot-check.sh smoke           in the amd64 chroot `suite` left, about a
#                                                     minute: the tests ffmpeg 7.1 and Python 3.13
#                                                     once broke (tests/test_install.py runs it
#                                                     when that chroot exists)
#   sudo bash scripts/chroot-check.sh clean           unmount and delete the cached chroots
#
# The chroots are made once with debootstrap and kept in /var/cache/loaxa-chroots
# ($LOAXA_CHROOTS), outside the checkout; each run copies the checkout (its tracked and
# untracked files, uncommitted changes included) into them afresh. Every step prints how
# long it took. Needs the Debian mirror ($LOAXA_MIRROR) and PyPI; the host's CA bundle is
# copied in, so pip inside trusts what the host trusts.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
CACHE=${LOAXA_CHROOTS:-/var/cache/loaxa-chroots}
MIRROR=${LOAXA_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
HOST_CA=/etc/ssl/certs/ca-certificates.crt
# In every chroot: what a Raspberry Pi OS Lite image has and install.sh relies on.
BASE=ca-certificates,python3,systemd,udev,sudo
# Only in the amd64 chroot, for the test suite (scripts/dev.sh installs the rest).
SUITE_EXTRA=python3-venv,git

[ "$(id -u)" = 0 ] || { echo "chroot-check.sh: run it as root (sudo)" >&2; exit 1; }

log() { printf '\n== %s\n' "$*"; }
step_names=()
step_times=()
failed=0
# Run a command, print and remember how long it took and whether it failed; go on either way.
timed() {  # NAME COMMAND...
  local name=$1 start status=0
  shift
  log "$name"
  start=$(date +%s)
  "$@" || status=$?
  [ "$status" = 0 ] || { name="$name: FAILED ($status)"; failed=$((failed + 1)); }
  step_names+=("$name")
  step_times+=("$(($(date +%s) - start))")
  printf -- '-- %s: %d s\n' "$name" "${step_times[-1]}"
  return "$status"
}
report_times() {
  local i
  log "times"
  for i in "${!step_names[@]}"; do printf '%6d s  %s\n' "${step_times[$i]}" "${step_names[$i]}"; done
}

host_tools() {
  local need=(debootstrap) missing=() pkg
  case "$1" in armhf|arm64) need+=(qemu-user-static binfmt-support proot) ;; esac
  for pkg in "${need[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

qemu_name() { case "$1" in armhf) echo arm ;; arm64) echo aarch64 ;; esac; }

# How foreign binaries run: "binfmt" (the kernel hands them to qemu) or "proot" (proot
# runs qemu itself, for kernels where binfmt_misc cannot be mounted or registered).
runner_of() {  # ARCH DIR
  local qemu
  qemu=$(qemu_name "$1")
  [ -n "$qemu" ] || { echo native; return; }
  [ -e /proc/sys/fs/binfmt_misc/status ] \
    || mount -t binfmt_misc none /proc/sys/fs/binfmt_misc 2>/dev/null || true
  update-binfmts --enable "qemu-$qemu" >/dev/null 2>&1 || true
  # Without binfmt's F flag the interpreter is looked up inside the chroot: put it there.
  local interp
  interp=$(sed -n 's/^interpreter //p' "/proc/sys/fs/binfmt_misc/qemu-$qemu" 2>/dev/null || true)
  if [ -n "$interp" ]; then
    mkdir -p "$2$(dirname "$interp")"
    cp -L "$interp" "$2$interp"
  fi
  cp "/usr/bin/qemu-$qemu-static" "$2/usr/bin/"
  if chroot "$2" /bin/true 2>/dev/null; then echo binfmt; else echo proot; fi
}

mounted=()
mount_api() {  # DIR: /proc, /sys, /dev for a chroot (not needed under proot)
  local dir=$1 point
  for point in proc sys dev dev/pts; do
    mountpoint -q "$dir/$point" && continue
    mkdir -p "$dir/$point"
    case $point in
      proc) mount -t proc proc "$dir/proc" ;;
      sys) mount --rbind /sys "$dir/sys"; mount --make-rslave "$dir/sys" ;;
      dev) mount --rbind /dev "$dir/dev"; mount --make-rslave "$dir/dev" ;;
      dev/pts) continue ;;  # came with the rbind of /dev
    esac
    mounted=("$dir/$point" "${mounted[@]}")
  done
}
unmount_api() {
  local point
  for point in "${mounted[@]}"; do umount -R "$point" 2>/dev/null || umount -lR "$point" || true; done
  mounted=()
}
trap unmount_api EXIT
# What a killed run left mounted under DIR: never delete through a bind mount of /dev.
unmount_under() {  # DIR
  local point
  awk -v dir="$1/" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r point; do umount -lR "$point" 2>/dev/null || true; done
}
trap 'exit 130' INT TERM  # so that the EXIT trap unmounts

RUNNER=native
# Run a command inside DIR as root with a clean environment.
inside() {  # DIR COMMAND...
  local dir=$1
  shift
  local env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive
    PIP_CERT=/etc/loaxa-host-ca.crt SSL_CERT_FILE=/etc/loaxa-host-ca.crt
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180)
  if [ "$RUNNER" = proot ]; then
    local qemu
    qemu=$(qemu_name "$ARCH")
    proot -q "qemu-$qemu-static" -0 -r "$dir" -b /dev -b /proc -b /sys -w /root "${env[@]}" "$@"
  else
    mount_api "$dir"
    chroot "$dir" "${env[@]}" "$@"
  fi
}

debootstrap_native() {  # DIR INCLUDE
  debootstrap --variant=minbase --include="$2" "$SUITE" "$1" "$MIRROR"
}

debootstrap_foreign() {  # DIR INCLUDE
  debootstrap --foreign --arch="$ARCH" --variant=minbase --include="$2" "$SUITE" "$1" "$MIRROR"
  RUNNER=$(runner_of "$ARCH" "$1")
  log "second stage runs through: $RUNNER"
  if [ "$RUNNER" = proot ]; then
    inside "$1" /debootstrap/debootstrap --second-stage
  else
    chroot "$1" /debootstrap/debootstrap --second-stage
  fi
}

# Make (once) the chroot for ARCH; later runs reuse it.
chroot_for() {  # ARCH INCLUDE -> sets DIR
  ARCH=$1
  DIR=$CACHE/$SUITE-$ARCH
  host_tools "$ARCH"
  if [ ! -e "$DIR/.loaxa-ready" ]; then
    unmount_under "$DIR"
    rm -rf --one-file-system "$DIR"
    mkdir -p "$CACHE"
    if [ "$ARCH" = "$(dpkg --print-architecture)" ]; then
      timed "debootstrap $SUITE $ARCH" debootstrap_native "$DIR" "$2"
    else
      timed "debootstrap --foreign $SUITE $ARCH + second stage" debootstrap_foreign "$DIR" "$2"
    fi
    touch "$DIR/.loaxa-ready"
  fi
  RUNNER=native
  [ "$ARCH" = "$(dpkg --print-architecture)" ] || RUNNER=$(runner_of "$ARCH" "$DIR")
  log "$SUITE $ARCH in $DIR, foreign binaries through: $RUNNER"
  cp "$HOST_CA" "$DIR/etc/loaxa-host-ca.crt"
  cp /etc/resolv.conf "$DIR/etc/resolv.conf" 2>/dev/null || true
}

# The checkout as it is now (tracked and untracked files, not ignored ones) in DIR/TARGET;
# a .venv already there is kept so its packages need not be fetched again.
copy_checkout() {  # TARGET
  local target=$DIR$1
  mkdir -p "$target"
  find "$target" -mindepth 1 -maxdepth 1 ! -name .venv -exec rm -rf {} +
  # shellcheck disable=SC2016  # $f is the inner shell's
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard \
    | xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh \
    | tar --null -T - -cf -) | tar -xf - -C "$target"
}

versions() {
  # shellcheck disable=SC2016  # expanded inside the chroot
  inside "$DIR" sh -c 'echo "$(. /etc/os-release; echo "$PRETTY_NAME"), $(uname -m)";
    python3 --version; command -v ffmpeg >/dev/null && ffmpeg -version | head -1 || true'
}

cmd_suite() {
  chroot_for amd64 "$BASE,$SUITE_EXTRA"
  copy_checkout /root/loaxa
  timed "apt + venv + ruff + pytest in $SUITE amd64 (scripts/dev.sh test)" \
    inside "$DIR" sh -c 'cd /root/loaxa && bash scripts/dev.sh test -p no:cacheprovider'
  versions
}

cmd_smoke() {
  DIR=$CACHE/$SUITE-amd64
  if [ ! -x "$DIR/root/loaxa/.venv/bin/python" ]; then
    echo "chroot-check.sh: no $DIR with a venv yet: run 'chroot-check.sh suite' once" >&2
    return 1
  fi
  copy_checkout /root/loaxa
  timed "smoke in $SUITE amd64" inside "$DIR" sh -c 'cd /root/loaxa && bash scripts/dev.sh setup \
    && .venv/bin/python -m pytest -q -p no:cacheprovider tests/clips/test_clips.py tests/test_install.py \
      tests/test_selftest.py -k "cover or peaky or syllables or power_on or where_it or boot_pins"'
}

cmd_install() {  # ARCH
  chroot_for "$1" "$BASE"
  if inside "$DIR" sh -c 'command -v gcc || command -v cc || command -v clang'; then
    echo "chroot-check.sh: a C compiler is in the $1 chroot; the check needs none" >&2
    return 1
  fi
  echo "no C compiler (gcc, cc, clang) in the $1 chroot"
  copy_checkout /root/loaxa
  # A Raspberry Pi's boot config, so the installer's relay-pin line has somewhere to go.
  mkdir -p "$DIR/boot/firmware"
  printf '%s\n' '# Raspberry Pi firmware settings (stand-in written by chroot-check.sh)' \
    'dtparam=audio=on' 'camera_auto_detect=1' '[all]' >"$DIR/boot/config.txt.orig"
  [ -e "$DIR/boot/firmware/config.txt" ] || cp "$DIR/boot/config.txt.orig" "$DIR/boot/firmware/config.txt"
  timed "hardware/install.sh --technician in $SUITE $1" inside "$DIR" \
    bash /root/loaxa/hardware/install.sh --technician "Nguyễn Văn Minh" || return 1
  # The panel's first account, made by the installer, as the panel will read it.
  inside "$DIR" loaxa users list | grep -F "Nguyễn Văn Minh" || failed=$((failed + 1))
  timed "hardware/install.sh again in $SUITE $1 (must change nothing)" inside "$DIR" sh -c \
    'bash /root/loaxa/hardware/install.sh --technician "Nguyễn Văn Minh" >/tmp/again; cat /tmp/again; grep -q "nothing to change" /tmp/again' \
    || true
  grep -A4 -F '# loaxa: relay pins' "$DIR/boot/firmware/config.txt" || failed=$((failed + 1))
  # `loaxa` as a technician types it: the wrapper runs it as user loaxa.
  if ! timed "loaxa demo in $SUITE $1" inside "$DIR" sh -c 'cd /tmp && loaxa demo'; then
    echo "(the demo found no samples in the installed package: again with the checkout's audio/)"
    timed "loaxa demo --samples /root/loaxa/audio in $SUITE $1" inside "$DIR" sh -c \
      'cp -r /root/loaxa/audio /tmp/loaxa-samples && cd /tmp && loaxa demo --samples /tmp/loaxa-samples' \
      || true
  fi
  # Each run installs afresh (Debian's packages stay): uninstall, and config.txt is as before.
  timed "hardware/uninstall.sh --purge in $SUITE $1" \
    inside "$DIR" bash /root/loaxa/hardware/uninstall.sh --purge || true
  cmp "$DIR/boot/config.txt.orig" "$DIR/boot/firmware/config.txt" || failed=$((failed + 1))
  versions
}

cmd_clean() {
  unmount_under "$CACHE"
  rm -rf --one-file-system "$CACHE"
}

case "${1:-}" in
  suite) cmd_suite || true ;;
  smoke) cmd_smoke || failed=$((failed + 1)) ;;
  install)
    case "${2:-}" in armhf|arm64) cmd_install "$2" || failed=$((failed + 1)) ;;
      *) echo "install armhf|arm64" >&2; exit 2 ;; esac
    ;;
  all)
    cmd_suite || true
    unmount_api
    for arch in armhf arm64; do cmd_install "$arch" || failed=$((failed + 1)); unmount_api; done
    ;;
  clean) cmd_clean; exit 0 ;;
  *) sed -n '2,21p' "$0"; exit 2 ;;
esac
unmount_api
report_times
[ "$failed" = 0 ] || { echo "chroot-check.sh: $failed steps failed" >&2; exit 1; }
