"""``python -m bot.i18n extract|check|init CODE [LOCALE]`` — catalog maintenance (see tools.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.i18n import tools


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n")
    parser.add_argument("--root", type=Path, default=tools.default_root(), help="project root")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="regenerate locales/messages.pot and update every .po")
    sub.add_parser("check", help="exit 1 when the catalogs are stale, incomplete or inconsistent")
    new = sub.add_parser("init", help="start the catalog of a new language")
    new.add_argument("code")
    new.add_argument("locale", nargs="?", help="CLDR locale for formatting, e.g. en_GB")
    args = parser.parse_args(argv)
    if args.command == "extract":
        for path in tools.extract(args.root):
            print(f"updated {path}")
        return 0
    if args.command == "init":
        print(f"created {tools.init(args.root, args.code, args.locale)}")
        return 0
    problems = tools.check(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} catalog problem(s)", file=sys.stderr)
        return 1
    print("catalogs OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
