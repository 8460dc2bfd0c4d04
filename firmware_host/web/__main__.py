"""``python -m firmware_host.web [--host H] [--port P]``: the panel, until ``loaxa web``
is wired into the command line (then this stays as the systemd unit's entry point)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from firmware_host.config import load_config
from firmware_host.messages import LANGUAGES, LoaxaError, set_language, t


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loaxa web", description=t("web.cli.description"))
    parser.add_argument("--host", help=t("web.cli.host"))
    parser.add_argument("--port", type=int, help=t("web.cli.port"))
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--lang", choices=LANGUAGES, default=None)
    args = parser.parse_args(argv)
    if args.lang:
        set_language(args.lang)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("cheroot").setLevel(logging.WARNING)
    try:
        from firmware_host.web.server import serve

        serve(load_config(args.data_dir, args.config), args.host, args.port)
    except LoaxaError as exc:
        print(f"{t('error.prefix')}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
