"""bench/ingest.py reads wrk's report: a misread unit would misstate every figure in docs/performance.md."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("bench_ingest", Path(__file__).parents[1] / "bench/ingest.py")
ingest = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(ingest)

WRK_REPORT = """Running 10s test @ http://127.0.0.1:40791/webhooks/zendesk
  1 threads and 200 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    63.90ms    9.12ms   1.02s    91.20%
    Req/Sec     3.11k   210.33     3.40k    70.00%
  Latency Distribution
     50%  850.00us
     75%   66.10ms
     90%   71.00ms
     99%    1.20s
  30920 requests in 10.00s, 4.33MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   3092.00
Transfer/sec:    443.10KB
"""


def test_wrk_report_is_read_with_its_units():
    result = ingest.parse_wrk(WRK_REPORT)
    assert result["rps"] == 3092.0
    assert result["answered"] == 30920
    assert result["p50"] == pytest.approx(0.85)
    assert result["p90"] == 71.0
    assert result["p99"] == 1200.0
    assert result["max"] == 1020.0
    assert result["errors"] == 1 + 2 + 4


def test_a_clean_run_has_no_errors():
    clean = WRK_REPORT.replace("  Socket errors: connect 0, read 1, write 0, timeout 2\n", "").replace(
        "  Non-2xx or 3xx responses: 4\n", "")
    assert ingest.parse_wrk(clean)["errors"] == 0
