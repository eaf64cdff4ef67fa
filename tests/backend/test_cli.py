"""`floorline serve` refuses a bad policy file or an unsafe address with a clear message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend", "serve", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_bad_policy_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[escalation]\nl2 = 900\nl3 = 600\n")
    result = serve("--policy", str(policy), "--db", f"sqlite:///{tmp_path / 'x.db'}", "--port", "0")
    assert result.returncode == 2
    assert "escalation offsets must grow" in result.stderr


def test_plain_http_on_a_public_address_needs_insecure(tmp_path: Path) -> None:
    result = serve("--host", "0.0.0.0", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--port", "0")
    assert result.returncode == 2
    assert "--insecure" in result.stderr
