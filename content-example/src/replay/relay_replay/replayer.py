from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Iterable, List

from .dead_letter import DeadLetter


@dataclass
class ReplayResult:
    sent: List[str] = field(default_factory=list)
    failed: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)


# @plan:PLAN-20251119-DLQREPLAY.P03
# @requirement:REQ-DLQ-002,REQ-DLQ-003
class Replayer:
    """Re-sends dead letters to their destination. Dry run unless told otherwise."""

    def __init__(
        self,
        rate_per_sec: float = 2.0,
        dry_run: bool = True,
        sleep: Callable[[float], None] = time.sleep,
        send: Callable[[DeadLetter], int] | None = None,
    ) -> None:
        if rate_per_sec <= 0:
            raise ValueError("rate_per_sec must be positive")
        self.interval = 1.0 / rate_per_sec
        self.dry_run = dry_run
        self._sleep = sleep
        self._send = send or _http_send

    # @requirement REQ-DLQ-003
    def _pace(self, index: int) -> None:
        # Replays go around the worker's limiter, so pace them here: an operator
        # replaying a 5,000-letter backlog must not recreate the original flood.
        if index > 0:
            self._sleep(self.interval)

    def replay(self, letters: Iterable[DeadLetter]) -> ReplayResult:
        result = ReplayResult()
        for index, letter in enumerate(letters):
            if self.dry_run:
                result.skipped.append(letter.id)
                continue
            self._pace(index)
            status = self._send(letter)
            (result.sent if 200 <= status < 300 else result.failed).append(letter.id)
        return result


def _http_send(letter: DeadLetter) -> int:
    req = urllib.request.Request(letter.destination, data=letter.body, method="POST")
    req.add_header("X-Hookpost-Replay", letter.id)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
