"""Speed and memory of smallhousing with years of records. One command:

    python benchmarks/run.py [--db sqlite|postgres] [--data DIR] [--out benchmarks/results.json]

It builds its own data with the demo generator (10,000 complaints, then copies of them up to
100,000), runs each measure several times, prints a table with the median of each and its target,
and writes the results as JSON. Nothing here is a test: the suite has no timing assertions.

With ``--db postgres`` the 10,000 file is also copied into PostgreSQL databases on ``--server``
(``smallhousing team move-from``; databases sh_bench_10k and sh_bench_100k, the second then copied
up to 100,000 as the file was; dropped and made again whenever the file is new, or with
``--reload``), and every measure that applies runs
against both in the same run, taking turns: the table shows SQLite and PostgreSQL side by side,
PostgreSQL's figure divided by SQLite's, and whether that is within 2x for the dashboard's figures,
the complaints filter, ``due`` and ``tsm`` at 100,000 complaints.
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


COPIED = ("complaint", "stage", "extension", "remedy", "outstanding_action")


def copy_up(con, cols: dict[str, list[str]]) -> None:
    """The 10,000 complaints in ``con`` copied nine more times (new ids and references), with their
    stages, extensions, remedies and outstanding actions; ``cols``: each table's columns. Plain SQL
    that SQLite and PostgreSQL both take, so that both get the same 100,000."""
    def one(sql: str):
        cur = con.execute(sql)
        return cur.fetchone()[0]

    n_c = one("SELECT max(id) FROM complaint")
    n_s = one("SELECT max(id) FROM stage")
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
            base_max = one(f"SELECT count(*) FROM {table}") // k
            con.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} "
                        f"FROM {table} WHERE id <= {base_max}")


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
    copy_up(con, {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in COPIED})
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return path


PG_SERVER = os.environ.get("SMALLHOUSING_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def _server_sql(server: str, sql: str) -> None:
    """One statement on the server's maintenance database (autocommit: CREATE/DROP DATABASE)."""
    import psycopg

    with psycopg.connect(server.rstrip("/") + "/postgres", autocommit=True, connect_timeout=10) as con:
        con.execute(sql)


def load_postgres(file: Path, server: str, name: str, reload: bool, copies: bool = False) -> str:
    """The SQLite ``file`` copied into the PostgreSQL database ``name`` on ``server`` (its URL).

    Dropped and made again, then filled with ``smallhousing team move-from`` (every record, the
    audit chain verified on both sides); with ``copies``, its complaints are then copied up to
    100,000 exactly as build_100k does for the file (the copies are not in the audit log, so the
    100,000 file itself does not pass verify and move-from rightly refuses it); then ANALYZEd, as
    autovacuum would soon after. Kept for the next run unless the file is newer or ``reload``."""
    import psycopg

    url = f"{server.rstrip('/')}/{name}"
    marker = file.parent / f"{name}.loaded"
    stamp = f"{file.stat().st_size} {file.stat().st_mtime_ns} {url} {copies}"
    if not reload and marker.exists() and marker.read_text() == stamp:
        try:
            with psycopg.connect(url, connect_timeout=10) as con:
                con.execute("SELECT count(*) FROM complaint").fetchone()
            return url
        except psycopg.Error:
            pass
    marker.unlink(missing_ok=True)
    _server_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _server_sql(server, f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    out = subprocess.run([PY, "-m", "smallhousing", "team", "move-from", str(file), "--to", url],
                         cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"move-from {file} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    with psycopg.connect(url, autocommit=True) as con:
        if copies:
            with con.transaction():
                copy_up(con, {t: [r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND table_schema = current_schema() ORDER BY ordinal_position", (t,))]
                    for t in COPIED})
                for t in COPIED:  # ids were given: each sequence goes on from the largest
                    con.execute(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                                f"(SELECT max(id) FROM {t}))")
        con.execute("VACUUM ANALYZE")
    print(f"  copied {file.name} into {name} in {time.perf_counter() - started:.1f} s", flush=True)
    marker.write_text(stamp)
    return url


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
            from smallhousing.store.db import database_for
            db = database_for(db_path).open()

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
        start_app(paths.resolve_db(args.db), headless=True, size=(80, 24), auto_pilot=until_ready)
''')


def compile_bytecode() -> None:
    """Compile the package's modules to bytecode, as installing it does (pip compiles what it
    installs). Python would write the same files at the first start, but not where
    PYTHONDONTWRITEBYTECODE is set: every start would then compile every module of ours from
    source (tens of milliseconds), which no installed copy does, while Textual's own modules,
    installed by pip, start from bytecode."""
    import compileall

    import smallhousing

    compileall.compile_dir(str(Path(smallhousing.__file__).parent), quiet=1)


def probe(mode: str, db: "Path | str", folder: Path) -> float:
    """Seconds from launching a fresh interpreter until the probe says the app is ready."""
    script = folder / "probe.py"
    script.write_text(PROBE)
    out = subprocess.run([PY, str(script), mode, str(db), repr(time.time())], capture_output=True,
                         text=True, cwd=ROOT, env={**os.environ, "TEXTUAL": ""}, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1].split()[0])


def measure_start(db10: Path, folder: Path, runs: int, pg: dict | None = None,
                  db100: Path | None = None) -> dict:
    """The start ratios (10,000 complaints); with ``pg`` ({"10k": url, "100k": url}) the same
    probes against PostgreSQL too, and the dashboard's figures at 100,000 on both."""
    probes = {"bare": ("bare", db10), "bare-db": ("bare-db", db10), "app-ready": ("app-ready", db10),
              "app-figures": ("app-figures", db10)}
    if pg:
        probes.update({"pg.bare-db": ("bare-db", pg["10k"]), "pg.app-ready": ("app-ready", pg["10k"]),
                       "pg.app-figures": ("app-figures", pg["10k"]),
                       "app-figures-100k": ("app-figures", db100),
                       "pg.app-figures-100k": ("app-figures", pg["100k"])})
    for mode, db in {db: (m, db) for m, db in probes.values() if m == "app-ready"}.values():
        probe(mode, db, folder)  # the daily backup, bytecode caches: not part of the measure
    # the probes take turns, so that a machine whose speed drifts (a shared host) slows them
    # alike and the ratios stay fair; twice the runs, as starts are short and vary most
    times: dict[str, list[float]] = {k: [] for k in probes}
    for _ in range(runs * 2):
        for key, (mode, db) in probes.items():
            times[key].append(probe(mode, db, folder))
    m = {k: statistics.median(v) for k, v in times.items()}
    out = {"bare_app_s": m["bare"], "bare_app_sqlmodel_db_s": m["bare-db"],
           "app_first_paint_s": m["app-ready"], "app_dashboard_figures_s": m["app-figures"],
           "start_ratio_paint": m["app-ready"] / m["bare"],
           "start_ratio_figures": m["app-figures"] / m["bare-db"]}
    if pg:
        out.update({"pg.bare_app_sqlmodel_db_s": m["pg.bare-db"],
                    "pg.app_first_paint_s": m["pg.app-ready"],
                    "pg.app_dashboard_figures_s": m["pg.app-figures"],
                    "pg.start_ratio_paint": m["pg.app-ready"] / m["bare"],
                    "pg.start_ratio_figures": m["pg.app-figures"] / m["pg.bare-db"],
                    "dashboard_start_100k_s": m["app-figures-100k"],
                    "pg.dashboard_start_100k_s": m["pg.app-figures-100k"]})
    return out


def measure_dashboard_reads(targets: dict, runs: int) -> dict:
    """The dashboard's reads alone (its worker's six questions), in this process, each database in
    turn: {key: median seconds}."""
    from smallhousing.screens.dashboard import ALERTS_LIMIT, MONTHS, WORKLIST_LIMIT
    from smallhousing.services import queries as Q
    from smallhousing.store.db import database_for

    dbs = {key: database_for(t) for key, t in targets.items()}

    def once(db) -> float:
        t = time.perf_counter()
        Q.dashboard_counts(db)
        (Q.letters_not_sent(db, limit=WORKLIST_LIMIT) + Q.open_work(db, limit=WORKLIST_LIMIT))[:WORKLIST_LIMIT]
        Q.overdue_follow_ups(db, limit=ALERTS_LIMIT)
        Q.received_per_month(db, MONTHS)
        Q.count_follow_ups(db)
        return time.perf_counter() - t

    for db in dbs.values():
        once(db)  # connections, the calendar: not part of the measure
    times: dict[str, list[float]] = {k: [] for k in dbs}
    for _ in range(runs * 2):
        for key, db in dbs.items():
            times[key].append(once(db))
    for db in dbs.values():
        db.close()
    return {k: statistics.median(v) for k, v in times.items()}


def measure_filter(db100: "Path | str", runs: int) -> float:
    from smallhousing.app import build_app
    from smallhousing.store.db import database_for

    async def go() -> list[float]:
        db = database_for(db100).open()
        app = build_app(db)
        times = []
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f3")  # Complaints
            for _ in range(500):
                if hasattr(app.screen, "generation"):
                    break
                await pilot.pause(0.01)
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


def measure_letter(db10: "Path | str", folder: Path, runs: int) -> float:
    from smallhousing.services import letters
    from smallhousing.services import queries as Q
    from smallhousing.store.db import database_for

    db = database_for(db10).open()
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


def measure_cli_both(args_for, sqlite_db, pg_db, runs: int) -> tuple[float, float]:
    """The same command on SQLite and on PostgreSQL, taking turns (a drift in the shared
    machine's speed then slows both alike): the median of each."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for found, db in zip(times, (sqlite_db, pg_db)):
            found.append(measure_cli(args_for(db), 1))
    return statistics.median(times[0]), statistics.median(times[1])


def measure_import(db10: Path, folder: Path, runs: int, server: str | None = None) -> float:
    """A CSV log of 10,000 rows into a new database: a new file, or with ``server`` a new
    PostgreSQL database there (sh_bench_import, dropped afterwards)."""
    csv_path = folder / "log.csv"
    if not csv_path.exists():
        subprocess.run([PY, "-m", "smallhousing", "--db", str(db10), "export", str(csv_path), "--force"],
                       check=True, cwd=ROOT, capture_output=True)
    from smallhousing.services import transfer
    from smallhousing.store.db import Database, database_for

    def run():
        with tempfile.TemporaryDirectory() as d:
            if server:
                _server_sql(server, 'DROP DATABASE IF EXISTS "sh_bench_import" WITH (FORCE)')
                _server_sql(server, 'CREATE DATABASE "sh_bench_import"')
                db = database_for(f"{server.rstrip('/')}/sh_bench_import", today=dt.date.today()).open()
            else:
                db = Database(Path(d) / "imp.db", today=dt.date.today()).open()
            t = time.perf_counter()
            transfer.import_csv(db, csv_path)
            took = time.perf_counter() - t
            db.close()
            if server:
                _server_sql(server, 'DROP DATABASE IF EXISTS "sh_bench_import" WITH (FORCE)')
            return took

    m, _ = median_of(run, max(1, runs // 2))
    return m


RSS_PROBE = textwrap.dedent('''
    import sys, resource
    from smallhousing.store.db import database_for
    from smallhousing.app import build_app

    async def visit(pilot):
        await pilot.pause(0.5)
        for key in ("f3", "f2", "f6", "f2", "f5", "f2"):  # Complaints, Reports, Residents
            await pilot.press(key)
            await pilot.pause(0.3)
        pilot.app.exit()

    db = database_for(sys.argv[1]).open()
    build_app(db).run(headless=True, size=(80, 24), auto_pilot=visit)
    # the peak of this process since it was started (VmHWM, kB): ru_maxrss would also count the
    # benchmark's own memory, which a new process inherits on Linux until it starts afresh
    with open("/proc/self/status") as fh:
        peak = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), None)
    print(peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
''')


def measure_rss(db100: "Path | str", folder: Path) -> float:
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
    "dashboard_start_100k_s": ("dashboard: start to figures shown, 100,000 complaints", None, "s"),
    "dashboard_reads_100k_s": ("dashboard: its figures' reads alone, 100,000 complaints", None, "s"),
    "filter_keystroke_s": ("filter keystroke, 100,000 complaints", 0.025, "s"),
    "letter_pdf_s": ("one letter PDF", 0.050, "s"),
    "annual_report_s": ("annual report PDF, 10,000 complaints", 2.0, "s"),
    "csv_import_s": ("CSV import, 10,000 rows", 3.0, "s"),
    "due_s": ("smallhousing due, 100,000 complaints", 1.0, "s"),
    "tsm_s": ("smallhousing tsm, 100,000 complaints", 1.0, "s"),
    "rss_mb": ("app peak memory, 100,000 complaints", 200.0, "MB"),
}
# with --db postgres: PostgreSQL's figure must be within this many times SQLite's, same run
WITHIN = 2.0
COMPARED = ("dashboard_start_100k_s", "dashboard_reads_100k_s", "filter_keystroke_s", "due_s", "tsm_s")
PG_ONLY_WITH_POSTGRES = ("dashboard_start_100k_s", "dashboard_reads_100k_s")


def shown(v: float, unit: str) -> str:
    return f"{v * 1000:.0f} ms" if unit == "s" and v < 1 else f"{v:.2f} {unit}"


def goal(target: float | None, unit: str) -> str:
    if target is None:
        return "-"
    return f"{target * 1000:.0f} ms" if unit == "s" and target < 1 else f"{target:g} {unit}"


def table(results: dict, skipped: dict, postgres: bool) -> list[str]:
    lines = []
    if not postgres:
        rows = []
        for key, (label, target, unit) in TARGETS.items():
            if key not in results or target is None:
                continue
            v = results[key]
            rows.append((label, shown(v, unit), goal(target, unit), "yes" if v <= target else "NO"))
        if not rows:
            return []
        w = max(len(r[0]) for r in rows)
        lines.append(f"{'measure':<{w}}  {'median':>10}  {'target':>8}  met")
        lines += [f"{r[0]:<{w}}  {r[1]:>10}  {r[2]:>8}  {r[3]}" for r in rows]
        return lines
    rows = []
    for key, (label, target, unit) in TARGETS.items():
        if key not in results:
            continue
        v, pv = results[key], results.get("pg." + key)
        ratio = f"{pv / v:.2f}x" if pv is not None and v else "-"
        within = ("yes" if pv / v <= WITHIN else "NO") if key in COMPARED and pv is not None and v else ""
        met = "" if target is None else "/".join(
            "-" if x is None else ("yes" if x <= target else "NO") for x in (v, pv))
        rows.append((label, shown(v, unit), "-" if pv is None else shown(pv, unit), ratio, within,
                     goal(target, unit), met))
    if not rows:
        return []
    w = max(len(r[0]) for r in rows)
    lines.append(f"{'measure':<{w}}  {'SQLite':>9}  {'Postgres':>9}  {'PG/SQLite':>9}  "
                 f"{'within 2x':>9}  {'target':>8}  met (SQLite/PG)")
    lines += [f"{r[0]:<{w}}  {r[1]:>9}  {r[2]:>9}  {r[3]:>9}  {r[4]:>9}  {r[5]:>8}  {r[6]}" for r in rows]
    for key, why in skipped.items():
        lines.append(f"skipped on PostgreSQL: {TARGETS.get(key, (key,))[0]}: {why}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    ap.add_argument("--runs", type=int, default=5, help="runs per measure (median is reported)")
    ap.add_argument("--data", default=None, help="folder to keep the generated databases in")
    ap.add_argument("--only", nargs="*", help="measure only these keys")
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite",
                    help="postgres: the same measures on PostgreSQL too, side by side with SQLite")
    ap.add_argument("--server", default=PG_SERVER,
                    help="the PostgreSQL server for --db postgres, as a URL without a database name "
                         "(default %(default)s, or SMALLHOUSING_BENCH_POSTGRES)")
    ap.add_argument("--reload", action="store_true",
                    help="with --db postgres: copy the files into PostgreSQL again even if done before")
    args = ap.parse_args()
    postgres = args.db == "postgres"
    folder = Path(args.data or tempfile.mkdtemp(prefix="smallhousing-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"data in {folder}", flush=True)
    compile_bytecode()
    db10 = build_10k(folder)
    db100 = build_100k(folder, db10)
    pg: dict[str, str] = {}
    if postgres:
        pg = {"10k": load_postgres(db10, args.server, "sh_bench_10k", args.reload),
              "100k": load_postgres(db10, args.server, "sh_bench_100k", args.reload, copies=True)}
    year = (dt.date.today().year if dt.date.today().month >= 4 else dt.date.today().year - 1) - 1
    results: dict = {}
    skipped: dict[str, str] = {}

    def wanted(key: str) -> bool:
        if not args.only:
            return postgres or key not in PG_ONLY_WITH_POSTGRES
        if key == "start":
            return any(k.startswith("start") or k == "dashboard_start_100k_s" for k in args.only)
        return key in args.only

    def step(key, fn, pg_fn=None):
        """``fn`` measures SQLite; with --db postgres, ``pg_fn`` PostgreSQL (or a str: why not)."""
        if not wanted(key):
            return
        print(f"  measuring {key} ...", flush=True)
        value = fn()
        if isinstance(value, dict):
            results.update(value)
        else:
            results[key] = value
        if not postgres or pg_fn is None:
            return
        if isinstance(pg_fn, str):
            skipped[key] = pg_fn
            return
        print(f"  measuring {key} on PostgreSQL ...", flush=True)
        try:
            results["pg." + key] = pg_fn()
        except Exception as exc:  # a measure that does not work there: said, not hidden
            skipped[key] = f"failed: {str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else type(exc).__name__}"

    def report_args(db):
        return ["--db", str(db), "report", "annual", "--year", str(year), "--out", str(folder / "a.pdf"),
                "--force"]

    step("start", lambda: measure_start(db10, folder, args.runs, pg or None, db100))
    if postgres and wanted("dashboard_reads_100k_s"):
        print("  measuring dashboard_reads_100k_s (both) ...", flush=True)
        reads = measure_dashboard_reads({"sqlite": db100, "pg": pg["100k"]}, args.runs)
        results["dashboard_reads_100k_s"], results["pg.dashboard_reads_100k_s"] = reads["sqlite"], reads["pg"]
    step("filter_keystroke_s", lambda: measure_filter(db100, args.runs),
         lambda: measure_filter(pg["100k"], args.runs))
    step("letter_pdf_s", lambda: measure_letter(db10, folder, args.runs),
         lambda: measure_letter(pg["10k"], folder, args.runs))
    step("annual_report_s", lambda: measure_cli(report_args(db10), args.runs),
         lambda: measure_cli(report_args(pg["10k"]), args.runs))
    step("csv_import_s", lambda: measure_import(db10, folder, args.runs),
         lambda: measure_import(db10, folder, args.runs, server=args.server))
    for key, args_for in (("due_s", lambda db: ["--db", str(db), "due", "--json"]),
                          ("tsm_s", lambda db: ["--db", str(db), "tsm", "--year", str(year), "--json"])):
        if postgres and wanted(key):  # taking turns, as they are compared
            print(f"  measuring {key} (both) ...", flush=True)
            results[key], results["pg." + key] = measure_cli_both(args_for, db100, pg["100k"], args.runs)
        else:
            step(key, lambda f=args_for: measure_cli(f(db100), args.runs))
    step("rss_mb", lambda: measure_rss(db100, folder), lambda: measure_rss(pg["100k"], folder))

    lines = table(results, skipped, postgres)
    if not lines:
        print("nothing measured: check the names given to --only", file=sys.stderr)
        return 2
    print()
    print("\n".join(lines))
    machine = {"python": platform.python_version(), "platform": platform.platform(),
               "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    if postgres:
        import psycopg

        with psycopg.connect(pg["10k"]) as con:
            machine["postgresql"] = con.execute("SHOW server_version").fetchone()[0]
    Path(args.out).write_text(json.dumps({"machine": machine, "runs": args.runs, "db": args.db,
                                          "results": results, "skipped": skipped,
                                          "targets": {k: v[1] for k, v in TARGETS.items()}},
                                         indent=2))
    print(f"\nresults written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
