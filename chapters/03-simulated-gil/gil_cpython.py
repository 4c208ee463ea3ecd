#!/usr/bin/env python3
"""gil_cpython.py - the chapter's GIL experiments in the real CPython.

The same three measurements as the simulation, so that the two can be
compared side by side on one machine, and the first of them repeated:

  cpu       CPU-bound work (count down from --work) split among threads and
            among processes; speed-up over the same work done serially
            (compare gil_cpu)
  switches  CPU-bound threads; hand-offs per second and the median slice,
            for several switch intervals (compare gil_switches)
  convoy    a short time.sleep() timed alone and beside CPU-bound threads
            (compare gil_convoy)
  runs      the cpu experiment (threads only) run --runs times, each in a
            fresh interpreter, with the simulation's gil_cpu after each run
            (--simulation): how far one run's speed-ups are from the next's

  python3 gil_cpython.py cpu --workers 1,2,4 --processes 1,2,4 --data cpu.tsv
  python3 gil_cpython.py switches --threads 2 --intervals 0.5ms,5ms
  python3 gil_cpython.py convoy --cpu-threads 0,1 --intervals 5ms
  python3 gil_cpython.py runs --runs 5 --simulation build/chapter03/gil_cpu

Each writes a TSV data file (--data) with the same provenance lines as the
C programs, written to a temporary name and renamed into place.
"""

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import duration, duration_list, int_list, positive, write_data  # noqa: E402

# ---- cpu: threads and processes against serial ------------------------------------------


def countdown(n):
    while n > 0:
        n -= 1


def time_threads(n, work):
    threads = [threading.Thread(target=countdown, args=(work // n,)) for _ in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def time_processes(n, work):
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=countdown, args=(work // n,)) for _ in range(n)]
    start = time.perf_counter()
    for p in processes:
        p.start()
    for p in processes:
        p.join()
        if p.exitcode != 0:
            sys.exit(f"gil_cpython.py: worker process failed with exit code {p.exitcode}")
    return time.perf_counter() - start


def time_serial(work):
    start = time.perf_counter()
    countdown(work)
    return time.perf_counter() - start


def run_cpu(args):
    series = [("serial", "-", 1)]
    series += [("threads", "new", n) for n in args.workers]
    series += [("processes", "-", n) for n in args.processes if n > 0]
    times = {s: [] for s in series}
    time_serial(args.work // 4)           # warm up, untimed
    for _ in range(args.repeat):          # interleaved, like gil_cpu
        for s in series:
            mode, _, n = s
            if mode == "serial":
                times[s].append(time_serial(args.work))
            elif mode == "threads":
                times[s].append(time_threads(n, args.work))
            else:
                times[s].append(time_processes(n, args.work))
    serial = statistics.median(times[series[0]])
    rows = []
    print(f"{'mode':9} {'gil':4} {'workers':>7} {'median_s':>9} {'speedup':>8}")
    for s in series:
        t = times[s]
        median = statistics.median(t)
        print(f"{s[0]:9} {s[1]:4} {s[2]:7} {median:9.3f} {serial / median:7.2f}x")
        rows.append([s[0], s[1], s[2], os.cpu_count(), args.repeat, f"{median:.4f}",
                     f"{min(t):.4f}", f"{max(t):.4f}", f"{serial / median:.3f}"])
    if args.data:
        write_data(args.data, [f"work: countdown from {args.work}"],
                   ["mode", "gil", "workers", "cpus", "repeats", "median_s", "min_s", "max_s",
                    "speedup"], rows)


# ---- switches: who runs when ------------------------------------------------------------

GAP = 200e-6  # a pause this long between two turns of the loop: we lost the GIL


def spin_and_record(deadline, runs):
    """Spin until `deadline`, recording each stretch during which we ran."""
    clock = time.perf_counter
    start = last = clock()
    while last < deadline:
        now = clock()
        if now - last > GAP:
            runs.append((start, last))
            start = now
        last = now
    runs.append((start, last))


def run_switches(args):
    rows = []
    old_interval = sys.getswitchinterval()
    print(f"{'gil':4} {'threads':>7} {'interval_us':>11} {'switches_per_s':>14} {'median_slice_ms':>15}")
    for n in args.threads:
        for interval in args.intervals:
            sys.setswitchinterval(interval)
            rates, slices = [], []
            for _ in range(args.repeat):
                runs = [[] for _ in range(n)]
                deadline = time.perf_counter() + args.duration + 0.01 * n
                threads = [threading.Thread(target=spin_and_record, args=(deadline, runs[i]))
                           for i in range(n)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                # The first and last stretch of each thread are cut short.
                inner = [r for per_thread in runs for r in per_thread[1:-1]]
                first = min(r[0][0] for r in runs)
                last = max(r[-1][1] for r in runs)
                handoffs = sum(len(r) for r in runs) - 1
                rates.append(handoffs / (last - first))
                slices.append(statistics.median([(b - a) * 1e3 for a, b in inner]) if inner else 0.0)
            rate, slice_ms = statistics.median(rates), statistics.median(slices)
            print(f"{'new':4} {n:7} {round(interval * 1e6):11} {rate:14.1f} {slice_ms:15.3f}")
            rows.append(["new", n, round(interval * 1e6), os.cpu_count(), args.repeat,
                         f"{rate:.2f}", f"{slice_ms:.4f}"])
    sys.setswitchinterval(old_interval)
    if args.data:
        write_data(args.data, [f"duration_s: {args.duration}", f"gap_us: {GAP * 1e6:.0f}"],
                   ["gil", "threads", "interval_us", "cpus", "repeats", "switches_per_s",
                    "median_slice_ms"], rows)


# ---- convoy: a short sleep beside CPU-bound threads -----------------------------------------


def spin_until(stop):
    n = 0
    while not stop.is_set():
        n += 1


def run_convoy(args):
    rows = []
    old_interval = sys.getswitchinterval()
    print(f"blocking operation: time.sleep({args.op * 1e3:.3f} ms), {args.ops} times")
    print(f"{'gil':4} {'cpu_threads':>11} {'interval_us':>11} {'median_op_ms':>13} {'min_op_ms':>10} {'max_op_ms':>10}")
    for interval in args.intervals:
        sys.setswitchinterval(interval)
        for n in args.cpu_threads:
            stop = threading.Event()
            spinners = [threading.Thread(target=spin_until, args=(stop,)) for _ in range(n)]
            for t in spinners:
                t.start()
            ops = []
            clock = time.perf_counter
            for _ in range(args.ops):
                start = clock()
                time.sleep(args.op)
                ops.append((clock() - start) * 1e3)
            stop.set()
            for t in spinners:
                t.join()
            median = statistics.median(ops)
            print(f"{'new':4} {n:11} {round(interval * 1e6):11} {median:13.3f} {min(ops):10.3f} {max(ops):10.3f}")
            rows.append(["new", n, round(interval * 1e6), os.cpu_count(), args.ops,
                         f"{median:.4f}", f"{min(ops):.4f}", f"{max(ops):.4f}"])
    sys.setswitchinterval(old_interval)
    if args.data:
        write_data(args.data, [f"op: time.sleep of {args.op * 1e3:.3f} ms"],
                   ["gil", "cpu_threads", "interval_us", "cpus", "ops", "median_op_ms",
                    "min_op_ms", "max_op_ms"], rows)

# ---- runs: the cpu experiment again and again, the simulation beside it --------------------


def run_runs(args):
    """The cpu experiment --runs times, each run in a fresh interpreter (as a
    rerun by hand would be) and the simulation's right after it, under the
    same load: one row per run, then the spread over the runs."""
    workers = ",".join(str(n) for n in args.workers)
    common = ["--workers", workers, "--processes", "0", "--work", str(args.work),
              "--repeat", str(args.repeat)]
    programs = [("py", [sys.executable, os.path.abspath(__file__), "cpu"] + common)]
    if args.simulation:
        programs.append(("sim", [args.simulation, "--gil", "new"] + common))
    columns = ["run", "load_1min"]
    for name, _ in programs:
        columns += [f"{name}_serial_s", f"{name}_serial_min_s", f"{name}_serial_max_s"]
        columns += [f"{name}_speedup_{n}" for n in args.workers]
    rows, simulation_build = [], []
    print(" ".join(f"{c:>6}" for c in columns))
    with tempfile.TemporaryDirectory(prefix="gil_cpython_runs.") as scratch:
        for run in range(1, args.runs + 1):
            row = [run, f"{os.getloadavg()[0]:.2f}"]
            for name, command in programs:
                data = os.path.join(scratch, f"{name}-{run}.tsv")
                done = subprocess.run(command + ["--data", data], stdout=subprocess.DEVNULL)
                if done.returncode != 0:
                    sys.exit(f"gil_cpython.py: {command[0]} failed with exit status {done.returncode}")
                comments, table = read_data(data)
                if name == "sim" and not simulation_build:
                    simulation_build = [c for c in comments if c.startswith(("compiler:", "cflags:"))]
                row += one_run(table, args.workers)
            print(" ".join(f"{v:>{max(len(c), 6)}}" for c, v in zip(columns, row)), flush=True)
            rows.append(row)
    rows += summary_rows(rows)
    for row in rows[-3:]:
        print(" ".join(f"{v:>{max(len(c), 6)}}" for c, v in zip(columns, row)))
    if args.data:
        comments = [f"work: countdown from {args.work} (CPython), {args.work} bytecodes (simulation)",
                    f"runs: {args.runs}, each a fresh interpreter: gil_cpython.py cpu " + " ".join(common)]
        if args.simulation:
            comments.append("simulation: " + " ".join([args.simulation, "--gil", "new"] + common)
                            + ", right after each CPython run")
            comments += ["simulation " + c for c in simulation_build]
        comments.append("py_ CPython, sim_ the simulation; serial_s the median of one run's repeats, "
                        "serial_min_s and serial_max_s its fastest and slowest repeat")
        comments.append("the last three rows: median, min and max of each column over the runs")
        write_data(args.data, comments, columns, rows)


def read_data(path):
    """A data file's '#' lines (without '# ') and its rows as dicts."""
    with open(path) as f:
        lines = f.read().splitlines()
    comments = [line[2:] for line in lines if line.startswith("# ")]
    table = [line.split("\t") for line in lines if not line.startswith("#")]
    return comments, [dict(zip(table[0], values)) for values in table[1:]]


def one_run(table, workers):
    """The serial median, fastest and slowest repeat, and each thread count's speed-up."""
    serial = next(r for r in table if r["mode"] == "serial")
    speedups = {int(r["workers"]): r["speedup"] for r in table
                if r["mode"] == "threads" and r["gil"] == "new"}
    return [serial["median_s"], serial["min_s"], serial["max_s"]] + [speedups[n] for n in workers]


def summary_rows(rows):
    """Median, min and max of every column but the run number, formatted as the rows are."""
    summary = []
    for label, reduce in (("median", statistics.median), ("min", min), ("max", max)):
        row = [label]
        for i in range(1, len(rows[0])):
            decimals = len(str(rows[0][i]).partition(".")[2])
            row.append(f"{reduce(float(r[i]) for r in rows):.{decimals}f}")
        summary.append(row)
    return summary


def executable(text):
    if not (os.path.isfile(text) and os.access(text, os.X_OK)):
        raise argparse.ArgumentTypeError(f"'{text}' is not an executable file")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="experiment", required=True)

    cpu = sub.add_parser("cpu", help="threads and processes against serial")
    cpu.add_argument("--workers", type=int_list(1, 64), default=[1, 2, 4])
    cpu.add_argument("--processes", type=int_list(0, 64), default=[1, 2, 4])
    cpu.add_argument("--work", type=positive, default=40_000_000)
    cpu.add_argument("--repeat", type=positive, default=3)
    cpu.add_argument("--data")

    sw = sub.add_parser("switches", help="hand-offs per second and slice length")
    sw.add_argument("--threads", type=int_list(1, 64), default=[2])
    sw.add_argument("--intervals", type=duration_list, default=[0.0005, 0.001, 0.005, 0.05])
    sw.add_argument("--duration", type=duration, default=2.0)
    sw.add_argument("--repeat", type=positive, default=3)
    sw.add_argument("--data")

    cv = sub.add_parser("convoy", help="a short sleep beside CPU-bound threads")
    cv.add_argument("--cpu-threads", type=int_list(0, 16), default=[0, 1, 2])
    cv.add_argument("--intervals", type=duration_list, default=[0.0005, 0.005, 0.05])
    cv.add_argument("--op", type=duration, default=150e-6)
    cv.add_argument("--ops", type=positive, default=40)
    cv.add_argument("--data")

    rn = sub.add_parser("runs", help="the cpu experiment run again and again, the simulation beside it")
    rn.add_argument("--runs", type=positive, default=5)
    rn.add_argument("--workers", type=int_list(1, 64), default=[1, 2, 4])
    rn.add_argument("--work", type=positive, default=40_000_000)
    rn.add_argument("--repeat", type=positive, default=5)
    rn.add_argument("--simulation", type=executable,
                    help="the simulation's gil_cpu, run after each CPython run")
    rn.add_argument("--data")

    args = parser.parse_args()
    experiments = {"cpu": run_cpu, "switches": run_switches, "convoy": run_convoy, "runs": run_runs}
    experiments[args.experiment](args)


if __name__ == "__main__":
    main()
