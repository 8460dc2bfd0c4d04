#!/usr/bin/env bash
# Loa Xã from a fresh clone, in one command:
#   bash scripts/dev.sh demo   -> install what is missing, then run `loaxa demo`
#   bash scripts/dev.sh test   -> install what is missing, then ruff, import layers, mypy and the tests
# It installs Debian packages with apt-get (as root, or through sudo), makes .venv and
# installs the package into it. Running it again only does what is still missing.
set -euo pipefail
cd "$(dirname "$0")/.."

action="${1:-}"
shift || true
case "$action" in
  demo|test|setup) ;;
  *) echo "usage: bash scripts/dev.sh demo|test|setup [args...]" >&2; exit 2 ;;
esac

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Debian packages: ffmpeg (decode/normalise), alsa-utils (aplay), sox (test signals),
# dosfstools/mtools/exfatprogs/exfat-fuse (USB-stick tests on real FAT32/exFAT images),
# mosquitto/openssl (province-link tests start a real broker, with a throwaway TLS CA),
# espeak-ng (text-to-speech, and speech-like test clips), chromium (the web panel's tests
# drive it through Playwright; nothing downloads a browser).
packages=(ffmpeg alsa-utils sox dosfstools mtools exfatprogs exfat-fuse shellcheck mosquitto openssl espeak-ng
  chromium)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo ">> apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=python3
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Loa Xã needs Python 3.11 or newer (Raspberry Pi OS Bookworm has 3.11)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo ">> python3 -m venv .venv"
  if ! "$python" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-venv
    "$python" -m venv .venv
  fi
fi
stamp=.venv/.loaxa-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo ">> pip install -e .[test]"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi

case "$action" in
  demo) exec .venv/bin/loaxa demo "$@" ;;
  test)
    .venv/bin/ruff check .
    .venv/bin/lint-imports        # the layers of docs/architecture.md (pyproject.toml)
    .venv/bin/mypy                # types: firmware_host, the pure modules strictly
    exec .venv/bin/python -m pytest -q "$@" ;;
  setup) echo "ready: .venv/bin/loaxa" ;;
esac
