"""Speed and memory of smallhousing with years of records. One command:

    python benchmarks/run.py [--quick] [--out benchmarks/results.json]

It builds its own data with the demo generator (10,000 complaints, then copies of them up to
100,000), runs each measure several times, prints a table with the median of each and its target,
and writes the results as JSON. Nothing here is a test: the suite has no timing assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PY = sys.executable


def median_of(fn, runs: int) -> tuple[float, list[float]]:
    times = [fn() for _ in range(runs)]
    return statistics.median(times), times


# data ------------------------------------------------------------------------------------------

def build_10k(folder: Path) -> Path:
    path = folder / "bench-10k.db"
    if path.exists():
        return path
    t = time.perf_counter()
    subprocess.run([PY, "-m", "smallhousing", "--db", str(path), "demo", "--complaints", "10000",
                    "--seed", "8"], check=True, cwd=ROOT)
    print(f"  built 10,000 demo complaints in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def build_100k(folder: Path, base: Path) -> Path:
    """The 10,000 demo complaints copied nine more times (new ids and references)."""
    path = folder / "bench-100k.db"
    if path.exists():
        return path
    src = sqlite3.connect(str(base))
    dst = sqlite3.connect(str(path))
    src.backup(dst)
    src.close()
    con = dst
    n_c = con.execute("SELECT max(id) FROM complaint").fetchone()[0]
    n_s = con.execute("SELECT max(id) FROM stage").fetchone()[0]
    cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
            for t in ("complaint", "stage", "extension", "remedy", "outstanding_action")}

    for k in range(1, 10):
        oc, os_ = k * n_c, k * n_s
        for table, replace, limit in (
            ("complaint", {"id": f"id + {oc}", "reference": f"reference || '-{k}'",
                           "related_to_id": f"related_to_id + {oc}",
                           "search_text": f"search_text || ' copy{k}'"}, n_c),
            ("stage", {"id": f"id + {os_}", "complaint_id": f"complaint_id + {oc}"}, n_s),
        ):
            names = cols[table]
            exprs = [replace.get(c, c) for c in names]
            con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} "
                        f"FROM {table} WHERE id <= {limit}")
        for table, fk, off in (("extension", "stage_id", os_), ("remedy", "complaint_id", oc),
                               ("outstanding_action", "complaint_id", oc)):
            names = [c for c in cols[table] if c != "id"]
            exprs = [f"{c} + {off}" if c == fk else c for c in names]
            base_max = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] // k
            con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} "
                        f"FROM {table} WHERE id <= {base_max}")
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return path


# measures --------------------------------------------------------------------------------------

PROBE = textwrap.dedent('''
    import asyncio, time, sys
    mode, db_path, launched = sys.argv[1], sys.argv[2], float(sys.argv[3])

    async def until_ready(pilot):
        """Ready = the first screen has been drawn and a key press has been handled and redrawn.

        Timed from the moment the benchmark launched this process, so interpreter start-up counts
        and shutting down does not (a background thread still opening the file does not hold the
        user up once the screen takes keys)."""
        from textual import events

        app = pilot.app
        await pilot._wait_for_screen()
        handled = asyncio.Event()
        app._driver.send_message(events.Key("f24", None))  # bound to nothing: handled, ignored
        app.call_after_refresh(handled.set)
        await handled.wait()
        if mode == "app-figures":
            while not getattr(app.screen, "figures_shown", False):
                await asyncio.sleep(0.001)
        print(time.time() - launched, time.process_time(), flush=True)
        app.exit()

    if mode.startswith("bare"):
        from textual.app import App
        from textual.widgets import Static
        if mode == "bare-db":
            import sqlmodel  # noqa: F401
            from smallhousing.store.db import Database
            db = Database(db_path).open()

        class Bare(App):
            def compose(self):
                yield Static("hello")
        Bare().run(headless=True, size=(80, 24), auto_pilot=until_ready)
    else:
        # as `smallhousing --db PATH` starts the app (cli main and run_app), headless
        from smallhousing import paths
        from smallhousing.cli import app_args
        from smallhousing.cli.core import start_app
        args = app_args(["--db", db_path])
        start_app(paths.resolve_db_path(args.db), headless=True, size=(80, 24), auto_pilot=until_ready)
''')


def probe(mode: str, db: Path, folder: Path) -> float:
    """Seconds from launching a fresh interpreter until the probe says the app is ready."""
    script = folder / "probe.py"
    script.write_text(PROBE)
    out = subprocess.run([PY, str(script), mode, str(db), repr(time.time())], capture_output=True,
                         text=True, cwd=ROOT, env={**os.environ, "TEXTUAL": ""}, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1].split()[0])


def measure_start(db10: Path, folder: Path, runs: int) -> dict:
    probe("app-ready", db10, folder)  # the daily backup, bytecode caches: not part of the measure
    # the four probes take turns, so that a machine whose speed drifts (a shared host) slows them
    # alike and the ratios stay fair; twice the runs, as starts are short and vary most
    times: dict[str, list[float]] = {m: [] for m in ("bare", "bare-db", "app-ready", "app-figures")}
    for _ in range(runs * 2):
        for mode, found in times.items():
            found.append(probe(mode, db10, folder))
    bare, bare_db, ready, figures = (statistics.median(v) for v in times.values())
    return {"bare_app_s": bare, "bare_app_sqlmodel_db_s": bare_db, "app_first_paint_s": ready,
            "app_dashboard_figures_s": figures, "start_ratio_paint": ready / bare,
            "start_ratio_figures": figures / bare_db}


def measure_filter(db100: Path, runs: int) -> float:
    from smallhousing.app import build_app
    from smallhousing.store.db import Database

    async def go() -> list[float]:
        db = Database(db100).open()
        app = build_app(db)
        times = []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("c")
            screen = app.screen
            for _ in range(200):
                await pilot.pause(0.01)
                if screen.query("#list") and screen.query_one("#list").row_count:
                    break
            for word in ("b", "bo", "boi", "boil", "d", "da", "dam", "r", "re", "rep")[: runs * 2]:
                gen = screen.generation
                t = time.perf_counter()
                screen.query_one("#search").value = word
                for _ in range(5000):
                    await asyncio.sleep(0.001)
                    if screen.generation > gen and not screen.fetching:
                        break
                drawn = asyncio.Event()  # the new rows are in the table: wait for them on screen
                app.call_after_refresh(drawn.set)
                await drawn.wait()
                times.append(time.perf_counter() - t)
        db.close()
        return times

    times = asyncio.run(go())
    return statistics.median(times)


def measure_letter(db10: Path, folder: Path, runs: int) -> float:
    from smallhousing.services import letters
    from smallhousing.services import queries as Q
    from smallhousing.store.db import Database

    db = Database(db10).open()
    ref = Q.list_complaints(db, Q.ComplaintFilter(state="closed"), limit=1)[0].reference
    content = letters.letter_content(db, ref, "response", stage=1)
    letters.render_pdf(content)  # reportlab's first import is not the letter's cost

    def run():
        t = time.perf_counter()
        c = letters.letter_content(db, ref, "response", stage=1)
        letters.render_pdf(c)
        return time.perf_counter() - t

    m, _ = median_of(run, runs * 3)
    db.close()
    return m


def measure_cli(args: list[str], runs: int) -> float:
    def run():
        t = time.perf_counter()
        subprocess.run([PY, "-m", "smallhousing", *args], check=True, cwd=ROOT, capture_output=True)
        return time.perf_counter() - t

    m, _ = median_of(run, runs)
    return m


def measure_import(db10: Path, folder: Path, runs: int) -> float:
    csv_path = folder / "log.csv"
    subprocess.run([PY, "-m", "smallhousing", "--db", str(db10), "export", str(csv_path), "--force"], check=True,
                   cwd=ROOT, capture_output=True)
    from smallhousing.services import transfer
    from smallhousing.store.db import Database

    def run():
        with tempfile.TemporaryDirectory() as d:
            db = Database(Path(d) / "imp.db", today=dt.date.today()).open()
            t = time.perf_counter()
            transfer.import_csv(db, csv_path)
            took = time.perf_counter() - t
            db.close()
            return took

    m, _ = median_of(run, max(1, runs // 2))
    return m


RSS_PROBE = textwrap.dedent('''
    import sys, resource
    from smallhousing.store.db import Database
    from smallhousing.app import build_app

    async def visit(pilot):
        await pilot.pause(0.5)
        for key in ("c", "escape", "escape", "r", "escape", "p", "escape"):
            await pilot.press(key)
            await pilot.pause(0.3)
        pilot.app.exit()

    db = Database(sys.argv[1]).open()
    build_app(db).run(headless=True, size=(80, 24), auto_pilot=visit)
    # the peak of this process since it was started (VmHWM, kB): ru_maxrss would also count the
    # benchmark's own memory, which a new process inherits on Linux until it starts afresh
    with open("/proc/self/status") as fh:
        peak = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), None)
    print(peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
''')


def measure_rss(db100: Path, folder: Path) -> float:
    script = folder / "rss.py"
    script.write_text(RSS_PROBE)
    out = subprocess.run([PY, str(script), str(db100)], capture_output=True, text=True, cwd=ROOT,
                         timeout=300)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # MB (both are in KiB on Linux)


TARGETS = {
    "start_ratio_paint": ("start: first paint and keys / bare Textual app", 1.3, "x"),
    "start_ratio_figures": ("start: dashboard figures / bare app + sqlmodel + db", 1.3, "x"),
    "filter_keystroke_s": ("filter keystroke, 100,000 complaints", 0.025, "s"),
    "letter_pdf_s": ("one letter PDF", 0.050, "s"),
    "annual_report_s": ("annual report PDF, 10,000 complaints", 2.0, "s"),
    "csv_import_s": ("CSV import, 10,000 rows", 3.0, "s"),
    "due_s": ("smallhousing due, 100,000 complaints", 1.0, "s"),
    "tsm_s": ("smallhousing tsm, 100,000 complaints", 1.0, "s"),
    "rss_mb": ("app peak memory, 100,000 complaints", 200.0, "MB"),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    ap.add_argument("--runs", type=int, default=5, help="runs per measure (median is reported)")
    ap.add_argument("--data", default=None, help="folder to keep the generated databases in")
    ap.add_argument("--only", nargs="*", help="measure only these keys")
    args = ap.parse_args()
    folder = Path(args.data or tempfile.mkdtemp(prefix="smallhousing-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"data in {folder}", flush=True)
    db10 = build_10k(folder)
    db100 = build_100k(folder, db10)
    year = (dt.date.today().year if dt.date.today().month >= 4 else dt.date.today().year - 1) - 1
    results: dict = {}
    want = set(args.only or TARGETS) | ({"start"} if not args.only else set())

    def step(key, fn):
        if args.only and key not in args.only and not (key == "start" and any(k.startswith("start") for k in args.only)):
            return
        print(f"  measuring {key} ...", flush=True)
        value = fn()
        if isinstance(value, dict):
            results.update(value)
        else:
            results[key] = value

    step("start", lambda: measure_start(db10, folder, args.runs))
    step("filter_keystroke_s", lambda: measure_filter(db100, args.runs))
    step("letter_pdf_s", lambda: measure_letter(db10, folder, args.runs))
    step("annual_report_s", lambda: measure_cli(
        ["--db", str(db10), "report", "annual", "--year", str(year), "--out", str(folder / "a.pdf"), "--force"],
        args.runs))
    step("csv_import_s", lambda: measure_import(db10, folder, args.runs))
    step("due_s", lambda: measure_cli(["--db", str(db100), "due", "--json"], args.runs))
    step("tsm_s", lambda: measure_cli(["--db", str(db100), "tsm", "--year", str(year), "--json"],
                                      args.runs))
    step("rss_mb", lambda: measure_rss(db100, folder))
    del want

    rows = []
    for key, (label, target, unit) in TARGETS.items():
        if key not in results:
            continue
        v = results[key]
        ok = v <= target
        shown = f"{v * 1000:.0f} ms" if unit == "s" and v < 1 else f"{v:.2f} {unit}"
        goal = f"{target * 1000:.0f} ms" if unit == "s" and target < 1 else f"{target:g} {unit}"
        rows.append((label, shown, goal, "yes" if ok else "NO"))
    if not rows:
        print("nothing measured: check the names given to --only", file=sys.stderr)
        return 2
    w = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{w}}  {'median':>10}  {'target':>8}  met")
    for r in rows:
        print(f"{r[0]:<{w}}  {r[1]:>10}  {r[2]:>8}  {r[3]}")
    machine = {"python": platform.python_version(), "platform": platform.platform(),
               "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    Path(args.out).write_text(json.dumps({"machine": machine, "runs": args.runs, "results": results,
                                          "targets": {k: v[1] for k, v in TARGETS.items()}},
                                         indent=2))
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
