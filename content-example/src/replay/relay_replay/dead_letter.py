# Dead-letter records are written by the delivery worker, one JSON object per line,
# in files named dlq/YYYY-MM-DD.jsonl. This module only reads them.
#
# @plan PLAN-20251119-DLQREPLAY.P01
# @requirement REQ-DLQ-001

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator, Optional


@dataclass(frozen=True)
class DeadLetter:
    id: str
    source: str
    destination: str
    attempts: int
    last_status: Optional[int]
    failed_at: datetime
    body: bytes

    @classmethod
    def from_json(cls, line: str) -> "DeadLetter":
        raw = json.loads(line)
        return cls(
            id=raw["id"],
            source=raw["source"],
            destination=raw["destination"],
            attempts=int(raw["attempts"]),
            last_status=raw.get("last_status"),
            failed_at=datetime.fromisoformat(raw["failed_at"].replace("Z", "+00:00")),
            body=base64.b64decode(raw["body_b64"]),
        )


def iter_dead_letters(root: Path, destination: Optional[str] = None) -> Iterator[DeadLetter]:
    """Yield dead letters oldest first, optionally only those for one destination host.

    Lines that do not parse are skipped with a warning rather than aborting the listing:
    an operator in an incident needs the other 10,000 records.

    @plan:PLAN-20251119-DLQREPLAY.P03
    @requirement:REQ-DLQ-001
    """
    for path in sorted(root.glob("dlq/*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    letter = DeadLetter.from_json(line)
                except (KeyError, ValueError) as exc:
                    print(f"warning: {path}:{lineno}: skipped ({exc})")
                    continue
                if destination is None or letter.destination == destination:
                    yield letter


def load_dead_letter(root: Path, letter_id: str) -> DeadLetter:
    for letter in iter_dead_letters(root):
        if letter.id == letter_id:
            return letter
    raise LookupError(f"no dead letter with id {letter_id!r} under {root}")
