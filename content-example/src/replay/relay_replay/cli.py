"""Command line for the dead-letter queue: list, show and replay.

Usage:
    hookpost-dlq list   [--root DIR] [--destination URL]
    hookpost-dlq show   [--root DIR] ID
    hookpost-dlq replay [--root DIR] [--destination URL] [--rate N] [--execute]
"""

# @plan PLAN-20251119-DLQREPLAY.P03
# @requirement REQ-DLQ-001, REQ-DLQ-002

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .dead_letter import iter_dead_letters, load_dead_letter
from .replayer import Replayer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hookpost-dlq")
    parser.add_argument("--root", type=Path, default=Path("/var/lib/hookpost"))
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list")
    listing.add_argument("--destination")
    show = sub.add_parser("show")
    show.add_argument("id")
    replay = sub.add_parser("replay")
    replay.add_argument("--destination")
    replay.add_argument("--rate", type=float, default=2.0)
    # Dry run is the default; sending needs an explicit flag.
    # @requirement:REQ-DLQ-002
    replay.add_argument("--execute", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "list":
        for letter in iter_dead_letters(args.root, args.destination):
            print(f"{letter.failed_at:%Y-%m-%d %H:%M}  {letter.id}  {letter.last_status}  {letter.destination}")
        return 0
    if args.command == "show":
        letter = load_dead_letter(args.root, args.id)
        sys.stdout.buffer.write(letter.body + b"\n")
        return 0
    replayer = Replayer(rate_per_sec=args.rate, dry_run=not args.execute)
    result = replayer.replay(iter_dead_letters(args.root, args.destination))
    print(f"sent {len(result.sent)}, failed {len(result.failed)}, dry-run {len(result.skipped)}")
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
