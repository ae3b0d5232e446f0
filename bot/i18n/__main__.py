"""``python -m bot.i18n extract|check|init CODE [LOCALE]`` — catalog maintenance (see tools.py)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.i18n import tools


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n")
    parser.add_argument("--root", type=Path, default=tools.default_root(), help="project root")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract", help="regenerate locales/messages.pot and update every .po")
    check = sub.add_parser("check", help="exit 1 when the catalogs are stale, incomplete or inconsistent")
    check.add_argument("--lang", help="check one language's catalog (shipped or in CELLULE_LOCALE_DIRS) "
                                      "and list the messages it leaves in English")
    new = sub.add_parser("init", help="start the catalog of a new language in your own folder")
    new.add_argument("code")
    new.add_argument("locale", nargs="?", help="CLDR locale for formatting, e.g. en_GB")
    new.add_argument("--dir", type=Path, help="the folder to write into (default: the first of CELLULE_LOCALE_DIRS)")
    new.add_argument("--shipped", action="store_true", help="maintainers: a language shipped in locales/")
    args = parser.parse_args(argv)
    user_dirs = [Path(d) for d in os.environ.get("CELLULE_LOCALE_DIRS", "").split(":") if d.strip()]
    if args.command == "extract":
        for path in tools.extract(args.root):
            print(f"updated {path}")
        return 0
    if args.command == "init":
        return _init(args, user_dirs)
    if args.lang:
        problems = tools.check_language(args.lang, [args.root / "locales", *user_dirs], args.root)
    else:
        problems = tools.check(args.root)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} catalog problem(s)", file=sys.stderr)
        return 1
    print("catalogs OK")
    return 0


def _init(args, user_dirs: list[Path]) -> int:
    shipped = (args.root / "locales").resolve()
    directory = args.root / "locales" if args.shipped else args.dir or (user_dirs[0] if user_dirs else None)
    if directory is None:
        print("python -m bot.i18n init: name the folder with --dir DIR or set CELLULE_LOCALE_DIRS "
              "(then start Cellule with CELLULE_LOCALE_DIRS=DIR)", file=sys.stderr)
        return 2
    if not args.shipped and Path(directory).resolve() == shipped:
        print(f"python -m bot.i18n init: {directory} holds the shipped catalogs; use a folder of your own",
              file=sys.stderr)
        return 2
    try:
        print(f"created {tools.init(args.root, args.code, args.locale, Path(directory))}")
    except ValueError as e:
        print(f"python -m bot.i18n init: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
