"""`python -m kiosk.ime build [--cache-dir D]`: make the input-method cache ahead of time.

Deployment (and `make setup`) runs it so the first citizen at a new kiosk does not wait for the
build; the kiosk itself would build the same file on its first start otherwise. `query LETTERS`
shows what the candidate bar offers, for checking a reading or a ranking by hand.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .build import BuildParams
from .composer import Composer
from .dictionary import PinyinDictionary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.ime", description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where the cache file lives (default: $XDG_CACHE_HOME/disclosure-kiosk)")
    parser.add_argument("--min-word-freq", type=int, default=BuildParams.min_word_freq,
                        help="words of two or more characters kept: at least this frequent in jieba")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build the cache file (again, with --force)")
    build.add_argument("--force", action="store_true", help="rebuild even if the file is current")
    query = sub.add_parser("query", help="print the candidates for some typed letters")
    query.add_argument("letters")
    query.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)

    params = BuildParams(min_word_freq=args.min_word_freq)
    started = time.monotonic()
    if args.command == "build":
        dictionary = PinyinDictionary.load(args.cache_dir, params, rebuild=args.force)
        took = time.monotonic() - started
        if dictionary.source is None:
            print("error: the cache file could not be written (see the warning above)", file=sys.stderr)
            return 1
        size = dictionary.source.stat().st_size
        print(f"{dictionary.source}: {dictionary.word_count} words, {dictionary.char_count} characters, "
              f"{len(dictionary)} entries, {size / 1e6:.1f} MB, {took:.1f} s")
        return 0

    dictionary = PinyinDictionary.load(args.cache_dir, params)
    composer = Composer(dictionary)
    for ch in args.letters:
        composer.type(ch)
    began = time.perf_counter()
    found = composer.candidates(args.limit)
    took_ms = (time.perf_counter() - began) * 1000
    print(f"{composer.display}  ({took_ms:.1f} ms)")
    for i, c in enumerate(found, 1):
        rest = composer.composing[c.consumed:]
        print(f"{i:3} {c.text}  {c.pinyin}" + (f"  (leaves {rest})" if rest else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
