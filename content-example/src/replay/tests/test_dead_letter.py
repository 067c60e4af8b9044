# @plan:PLAN-20251119-DLQREPLAY.P02
# @requirement:REQ-DLQ-001

import base64
import json
from pathlib import Path

import pytest

from relay_replay.dead_letter import iter_dead_letters, load_dead_letter
from relay_replay.replayer import Replayer


def write_dlq(root: Path, day: str, records: list[dict]) -> None:
    (root / "dlq").mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r) for r in records]
    (root / "dlq" / f"{day}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def record(letter_id: str, destination: str = "https://a.example/hook") -> dict:
    return {
        "id": letter_id,
        "source": "github",
        "destination": destination,
        "attempts": 8,
        "last_status": 503,
        "failed_at": "2025-11-21T09:30:00Z",
        "body_b64": base64.b64encode(b'{"zen":"Keep it logically awesome."}').decode(),
    }


def test_lists_oldest_file_first(tmp_path: Path) -> None:
    write_dlq(tmp_path, "2025-11-21", [record("b")])
    write_dlq(tmp_path, "2025-11-20", [record("a")])
    assert [l.id for l in iter_dead_letters(tmp_path)] == ["a", "b"]


def test_filters_by_destination(tmp_path: Path) -> None:
    write_dlq(tmp_path, "2025-11-21", [record("a"), record("b", "https://b.example/hook")])
    assert [l.id for l in iter_dead_letters(tmp_path, "https://b.example/hook")] == ["b"]


def test_skips_corrupt_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_dlq(tmp_path, "2025-11-21", [record("a")])
    with (tmp_path / "dlq" / "2025-11-21.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    assert [l.id for l in iter_dead_letters(tmp_path)] == ["a"]
    assert "skipped" in capsys.readouterr().out


def test_unknown_id_raises(tmp_path: Path) -> None:
    write_dlq(tmp_path, "2025-11-21", [record("a")])
    with pytest.raises(LookupError):
        load_dead_letter(tmp_path, "zzz")


def test_replay_is_dry_run_by_default(tmp_path: Path) -> None:
    """Nothing is sent unless the operator asks for it. @requirement:REQ-DLQ-002"""
    write_dlq(tmp_path, "2025-11-21", [record("a"), record("b")])
    sent: list[str] = []
    result = Replayer(send=lambda l: sent.append(l.id) or 200).replay(iter_dead_letters(tmp_path))
    assert sent == [] and result.skipped == ["a", "b"]
