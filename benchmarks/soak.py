"""Soak the app: many concurrent sessions change filters for several rounds; no session may see an error,
and the server's memory must not keep growing.

    .venv/bin/python -m benchmarks.soak [--sessions 20] [--rounds 5] [--size 1000] [--max-seconds 900]

Starts `streamlit run app.py` on a synthetic dataset (loopback only), opens `--sessions` browser contexts in
Chromium (each its own Streamlit session), and in every round has each session press Reset and pick one
sector, then waits until every page shows the sentence for its choice. Prints one row per round (errors,
seconds, server RSS) and exits non-zero on any error or when memory grew in every round by more than 5 %.
Bounded: it stops starting rounds once `--max-seconds` have passed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import CHROMIUM, CHROMIUM_ARGS, MB, OUT_DIR, START, Server  # noqa: E402
from benchmarks.synthetic_data import write_dataset  # noqa: E402
from geo import schema  # noqa: E402

SECTORS = list(schema.SECTORS.items())[:6]
STEP_TIMEOUT_MS = 60_000
LOAD_TIMEOUT_MS = 300_000
GROWTH_LIMIT = 0.05


def rss_mb(server: Server) -> float:
    """The server process's current resident set size, in MB."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / MB
    return float("nan")


def choose_sector(page, label: str, total: int) -> None:
    """Reset, wait until the page shows everything, then type the sector into its picker and take it."""
    page.get_by_role("button", name="Reset filters").click()
    page.locator("strong", has_text=f"Showing {total} of {total}").first.wait_for()
    picker = page.locator(".st-key-f_sectors input")
    picker.click()
    picker.fill(label)
    page.get_by_role("option", name=label, exact=True).first.click()
    page.keyboard.press("Escape")
    page.locator("h1").first.click()  # leave the picker, as a reader would, before the next click


def errors_on(page) -> int:
    return page.locator("[data-testid='stException']").count()


def soak(sessions: int, rounds: int, size: int, max_seconds: float) -> int:
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        data = write_dataset(Path(tmp) / "data", size)
        server = Server(START["app"], data, OUT_DIR / "logs" / "soak.log")
        rows: list[tuple[int, int, int, float, float]] = []
        try:
            server.wait_until_healthy()
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                pages = [
                    browser.new_context(viewport={"width": 1200, "height": 900}).new_page() for _ in range(sessions)
                ]
                for page in pages:
                    page.set_default_timeout(STEP_TIMEOUT_MS)
                    page.goto(server.url, wait_until="commit")
                for page in pages:  # 20 first loads at once take a while on two cores
                    page.locator("strong", has_text="Showing").first.wait_for(timeout=LOAD_TIMEOUT_MS)
                rows.append((0, sessions, sum(errors_on(p) for p in pages), time.monotonic() - started, rss_mb(server)))
                for round_number in range(1, rounds + 1):
                    if time.monotonic() - started > max_seconds:
                        print(f"stopping after {round_number - 1} rounds: --max-seconds {max_seconds} reached")
                        break
                    t0 = time.monotonic()
                    errors = 0
                    for i, page in enumerate(pages):
                        try:
                            choose_sector(page, SECTORS[(round_number + i) % len(SECTORS)][1], size)
                        except Exception as error:  # a session that cannot be driven counts as an error
                            print(f"round {round_number}, session {i}: {type(error).__name__}: {error}")
                            page.screenshot(path=str(OUT_DIR / f"soak-r{round_number}-s{i}.png"))
                            errors += 1
                    for i, page in enumerate(pages):
                        label = SECTORS[(round_number + i) % len(SECTORS)][1].lower()
                        try:
                            page.locator("strong", has_text=f"sector {label}").first.wait_for()
                        except Exception as error:
                            print(
                                f"round {round_number}, session {i}: the sentence never showed sector {label}: {error}"
                            )
                            errors += 1
                        errors += errors_on(page)
                    rows.append((round_number, sessions, errors, time.monotonic() - t0, rss_mb(server)))
                browser.close()
        finally:
            server.stop()
    print(f"\nSoak: {sessions} sessions, {size:,} synthetic deployments\n")
    print("| round | sessions | errors | seconds | server RSS MB |")
    print("|---|---|---|---|---|")
    for round_number, count, errors, seconds, rss in rows:
        print(f"| {round_number if round_number else 'load'} | {count} | {errors} | {seconds:.1f} | {rss:.0f} |")
    total_errors = sum(r[2] for r in rows)
    memory = [r[4] for r in rows[1:]]
    growing = len(memory) >= 3 and all(b > a * (1 + GROWTH_LIMIT) for a, b in zip(memory, memory[1:]))
    print(
        f"\nerrors: {total_errors}; RSS after the rounds: {', '.join(f'{m:.0f}' for m in memory)} MB"
        f"{' (grows every round)' if growing else ' (no steady growth)'}"
    )
    return 1 if total_errors or growing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=900)
    args = parser.parse_args()
    return soak(args.sessions, args.rounds, args.size, args.max_seconds)


if __name__ == "__main__":
    sys.exit(main())
