"""The benchmark's verdicts on the app against the peer."""

import sys
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.run import Result, Run, target_lines


def run(paint: float, redraw: float) -> Run:
    values: dict[str, Any] = {f.name: 0.0 for f in fields(Run) if f.default is MISSING and f.default_factory is MISSING}
    values.update(first_paint=paint, all_markers=paint, filter_redraw=redraw)
    return Run(**values)


def result(size: int, page: str, paint: float = 1.0, redraw: float = 0.5, error: str = "") -> Result:
    runs = [] if error else [run(paint, redraw)]
    return Result(size, page, paint, runs, 300.0, 1.0, error=error)


def test_the_app_is_as_fast_as_the_peer_only_when_neither_measure_is_slower():
    slower = target_lines([result(10_000, "app", 1.0, 0.5), result(10_000, "peer", 2.0, 0.4)])[0]
    assert "at least as fast as the peer: FAIL" in slower
    assert "filter redraw 0.50 against 0.40 s" in slower  # the figures the verdict rests on are printed with it
    faster = target_lines([result(10_000, "app", 1.0, 0.3), result(10_000, "peer", 2.0, 0.4)])[0]
    assert "at least as fast as the peer: PASS" in faster


def test_a_peer_that_draws_nothing_is_beaten_and_the_line_says_why():
    lines = target_lines([result(1_000_000, "app", 2.0, 0.7), result(1_000_000, "peer", error="TimeoutError: 120 s")])
    line = next(x for x in lines if x.startswith("targets at 1,000,000"))
    assert "at least as fast as the peer: PASS (the peer failed: TimeoutError: 120 s)" in line
