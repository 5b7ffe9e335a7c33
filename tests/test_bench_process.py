"""bench/process.py runs end to end on a tiny burst, so the script behind docs/performance.md's
processing figures cannot rot: both `bridge serve` phases, the simulators, the inbox sampling."""

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_a_tiny_burst_is_taken_in_and_drained():
    completed = subprocess.run(
        [sys.executable, "bench/process.py", "--events", "200", "--sample", "0.2", "--timeout", "60"],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    output = completed.stdout
    assert "answers 200: 200;" in output
    by_status = ast.literal_eval(re.search(r"inbox by status: (\{.*\})", output).group(1))
    assert sum(by_status.values()) == 200
    assert set(by_status) <= {"done", "ignored"}, by_status  # nothing waiting, nothing failed
    assert "processing CPU per event:" in output and "intake CPU per request" in output
    assert "events processed per second:" in output
