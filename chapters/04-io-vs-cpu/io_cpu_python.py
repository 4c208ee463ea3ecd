#!/usr/bin/env python3
"""io_cpu_python.py - the chapter's batches in real CPython: ThreadPoolExecutor and ProcessPoolExecutor.

What scaling.c simulates, run by the interpreter itself, with the source
documents' own functions: delayed_return (a sleep), an HTTP request to the
workbook's local server (build/chapter04/api_server), long_factorize and the
compute loop. Every row is labelled with the interpreter as it reports itself
(interpreter: 3.11.7, 3.13.5t; gil: new, or none for a free-threaded build
running without its GIL), so the same script run under python3 and under
python3.13t gives the GIL's lines and the free-threaded ones.

  scaling   each workload's batch serially, then by a pool of threads and a
            pool of processes for each worker count; wall time, CPU time,
            CPU time / wall time (the effective parallelism) and the sum of
            the tasks' own times (the source documents' "serial cost" beside
            the parallel cost); every run's results checked against the
            serial run's (compare scaling)
  display   one batch of delayed_return with Gaussian sleeps, its results
            printed in the order they come back (submit + as_completed), each
            task's own time, their sum and the wall time
  calls     the notes' call-counting experiment: N threads, then N processes
            of a multiprocessing.Pool (starmap), each calling a small function
            for a fixed time and counting its calls; under a GIL N threads
            share one thread's calls, N processes each make their own

  python3 io_cpu_python.py scaling --workloads sleep,factorize --repeat 3 --data py.tsv
  python3.13t io_cpu_python.py scaling --workloads factorize,compute --modes threads
  python3 io_cpu_python.py display --tasks 8 --workers 4
  python3 io_cpu_python.py calls --workers 1,2,4 --duration 1s --data calls.tsv

What to expect: sleeping and waiting for the server scale with threads under
the GIL as well as without it; computing does not scale with threads under
the GIL, does with processes up to the core count, and with threads under a
free-threaded build. Needs Python 3.8 or later (concurrent.futures).
"""

import argparse
import functools
import json
import math
import os
import random
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
import multiprocessing

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import (clock, duration, gil_kind, int_list, interpreter_label, median,  # noqa: E402
                      positive, write_data)

INTERPRETER = interpreter_label()     # 3.11.7, 3.13.5t, ...
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SERVER = os.path.join(HERE, "..", "..", "build", "chapter04", "api_server")

# ---- the workloads: the source documents' functions ------------------------------------

# snippet-begin: workloads
def delayed_return(value, seconds):
    time.sleep(seconds)          # waiting: the GIL is released
    return value


def long_factorize(offset, base):
    value = base + offset
    guess = value // 2
    while value % guess:         # counts down until it divides: computing
        guess -= 1
    return (value, guess, value // guess)


def compute_intensive(n):
    total = 0.0
    for k in range(n):           # the article's loop, made to sum something
        total += math.cos(k / 1000) / 1000
    return round(total, 9)


def api_item(item, port, timeout):
    url = "http://127.0.0.1:%d/item/%d" % (port, item)
    with urllib.request.urlopen(url, timeout=timeout) as answer:   # waiting, no GIL
        return json.loads(answer.read())["value"]
# snippet-end: workloads


# snippet-begin: timed
def timed(spec, i):
    """Task i of a batch, timed inside the worker: (result, its own seconds)."""
    start = clock()
    kind, params = spec
    if kind == "sleep":
        result = delayed_return(i, params["delays"][i])
    elif kind == "api":
        result = api_item(i, params["port"], params["timeout"])
    elif kind == "factorize":
        result = long_factorize(i, params["base"])
    else:
        result = compute_intensive(params["n"])
    return result, clock() - start
# snippet-end: timed


# ---- scaling: serial, threads, processes -----------------------------------------------


def cpu_seconds():
    """CPU time of this process and of its reaped children (the pool's workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# snippet-begin: run-batch
def run_batch(spec, tasks, mode, workers):
    """One batch: (wall s, CPU s, sum of the task times, results). The time
    includes starting and stopping the pool, as `with Executor(n) as pool:`."""
    task = functools.partial(timed, spec)
    start, start_cpu = clock(), cpu_seconds()
    if mode == "serial":
        pairs = [task(i) for i in range(tasks)]
    else:
        executor = ThreadPoolExecutor if mode == "threads" else ProcessPoolExecutor
        with executor(max_workers=workers) as pool:
            pairs = list(pool.map(task, range(tasks)))
    wall, cpu = clock() - start, cpu_seconds() - start_cpu
    return wall, cpu, sum(t for _, t in pairs), [r for r, _ in pairs]
# snippet-end: run-batch


def workload_spec(name, args, port):
    if name == "sleep":
        rng = random.Random(args.seed)         # the same draws for every run
        delays = [max(0.0, rng.gauss(args.delay, args.sd)) for _ in range(args.io_tasks)]
        return (name, {"delays": delays})
    if name == "api":
        return (name, {"port": port, "timeout": args.timeout})
    if name == "factorize":
        return (name, {"base": args.factorize_base})
    return (name, {"n": args.compute_n})


def run_scaling(args):
    server = ApiServer(args.server, args.delay) if "api" in args.workloads else None
    try:
        rows = scaling_rows(args, server.port if server else 0)
    finally:
        if server:
            server.stop()
    if args.data:
        method = multiprocessing.get_start_method()
        write_data(args.data, [
            "io_tasks: %d" % args.io_tasks, "cpu_tasks: %d" % args.cpu_tasks,
            "delay_s: %g" % args.delay, "sd_s: %g" % args.sd,
            "factorize_base: %d" % args.factorize_base, "compute_n: %d" % args.compute_n,
            "start_method: %s" % method, "interpreter: %s" % INTERPRETER, "gil: %s" % gil_kind()],
            ["workload", "kind", "mode", "interpreter", "gil", "workers", "tasks", "repeats",
             "median_s", "min_s", "max_s", "task_sum_s", "cpu_s", "parallelism", "speedup"], rows)


def scaling_rows(args, port):
    print("CPython %s, GIL: %s, start method %s, %d cores" % (
        INTERPRETER, gil_kind(), multiprocessing.get_start_method(), os.cpu_count()))
    print("%-10s %-9s %7s %9s %9s %9s %11s %8s %8s %8s" % (
        "workload", "mode", "workers", "median_s", "min_s", "max_s", "task_sum_s", "cpu_s", "cpu/wall",
        "speedup"))
    rows = []
    for name in args.workloads:
        io = name in ("sleep", "api")
        spec = workload_spec(name, args, port)
        tasks = args.io_tasks if io else args.cpu_tasks
        points = [("serial", 1)] if "serial" in args.modes else []
        for mode in ("threads", "processes"):
            if mode in args.modes:
                points += [(mode, w) for w in (args.io_workers if io else args.cpu_workers)]
        times = {p: [] for p in points}
        expected = None
        for _ in range(args.repeat):            # the points take turns, repeat by repeat
            for point in points:
                wall, cpu, task_sum, results = run_batch(spec, tasks, point[0], point[1])
                if expected is None:
                    expected = results
                elif results != expected:
                    sys.exit("io_cpu_python.py: %s %s %d: results differ from the first run's"
                             % (name, point[0], point[1]))
                times[point].append((wall, cpu, task_sum))
        serial = median([t[0] for t in times[points[0]]])
        for (mode, workers) in points:
            walls = [t[0] for t in times[(mode, workers)]]
            med = median(walls)
            row = [name, "io" if io else "cpu", mode, INTERPRETER, gil_kind(), workers, tasks,
                   args.repeat, "%.4f" % med, "%.4f" % min(walls), "%.4f" % max(walls),
                   "%.4f" % median([t[2] for t in times[(mode, workers)]]),
                   "%.4f" % median([t[1] for t in times[(mode, workers)]]),
                   "%.2f" % median([t[1] / t[0] for t in times[(mode, workers)]]),  # CPU / wall
                   "%.3f" % (serial / med)]
            print("%-10s %-9s %7d %9s %9s %9s %11s %8s %8s %8s" % tuple([row[0], row[2], row[5]] + row[8:]))
            rows.append(row)
    return rows


class ApiServer:
    """The workbook's local server (api_server), started for the run and
    stopped however the run ends (SIGTERM, as Ctrl-C would)."""

    def __init__(self, path, latency):
        if not os.access(path, os.X_OK):
            sys.exit("io_cpu_python.py: no server at %s (make chapter4 builds it; or --server PATH)" % path)
        self.process = subprocess.Popen([path, "--latency", "%dus" % round(latency * 1e6)],
                                        stdout=subprocess.PIPE, universal_newlines=True)
        line = self.process.stdout.readline()
        found = re.search(r"127\.0\.0\.1:(\d+)", line)
        if not found:
            self.stop()
            sys.exit("io_cpu_python.py: the server did not say its port: %r" % line)
        self.port = int(found.group(1))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.communicate()


# ---- display: the sum of the task times against the wall time ---------------------------


def run_display(args):
    rng = random.Random(args.seed)
    delays = [max(0.0, rng.gauss(args.delay, args.sd)) for _ in range(args.tasks)]
    task = functools.partial(timed, ("sleep", {"delays": delays}))
    executor = ThreadPoolExecutor if args.pool == "threads" else ProcessPoolExecutor
    print("CPython %s: %d tasks of delayed_return (%.0f +- %.0f ms) on %d %s, in completion order"
          % (INTERPRETER, args.tasks, args.delay * 1e3, args.sd * 1e3, args.workers, args.pool))
    # snippet-begin: display
    start = clock()
    with executor(max_workers=args.workers) as pool:
        futures = [pool.submit(task, i) for i in range(args.tasks)]
        done = []
        for future in as_completed(futures):          # whichever finishes next
            value, seconds = future.result()
            done.append(value)
            print("  result %2d  its own time %.3f s  at %.3f s" % (value, seconds, clock() - start))
    wall = clock() - start
    # snippet-end: display
    total = sum(delays)
    print("sum of the task times (the serial cost): %.3f s" % total)
    print("wall time (the parallel cost):           %.3f s" % wall)
    print("every task exactly once: %s" % ("yes" if sorted(done) == list(range(args.tasks)) else "NO"))


# ---- calls: the notes' histogram, threads against processes -----------------------------


def small_function(x):
    return x * x % 7


# snippet-begin: count-calls
def count_calls(start_at, seconds):
    """Call small_function from start_at for `seconds`; return the calls made.
    time.monotonic is the same clock in every process of the machine."""
    while time.monotonic() < start_at:
        time.sleep(0.001)
    calls, stop = 0, start_at + seconds
    while time.monotonic() < stop:
        for x in range(100):         # look at the clock every 100 calls
            small_function(x)
        calls += 100
    return calls
# snippet-end: count-calls


def calls_with_threads(n, seconds, margin):
    counts = [0] * n

    def worker(k, start_at):
        counts[k] = count_calls(start_at, seconds)
    start_at = time.monotonic() + margin
    threads = [threading.Thread(target=worker, args=(k, start_at)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts


def calls_with_processes(n, seconds, margin):
    # snippet-begin: starmap
    with multiprocessing.Pool(n) as pool:                 # n processes, started now
        start_at = time.monotonic() + margin
        counts = pool.starmap(count_calls, [(start_at, seconds)] * n)
    # snippet-end: starmap
    return counts


def run_calls(args):
    print("CPython %s, GIL: %s: calls of a small function in %.2f s, per worker"
          % (INTERPRETER, gil_kind(), args.duration))
    print("%-10s %7s %12s %12s %12s" % ("mode", "workers", "total", "fewest", "most"))
    rows = []
    for mode in args.modes:
        for n in args.workers:
            run = calls_with_threads if mode == "threads" else calls_with_processes
            counts = run(n, args.duration, args.margin)
            print("%-10s %7d %12d %12d %12d" % (mode, n, sum(counts), min(counts), max(counts)))
            rows += [[mode, INTERPRETER, gil_kind(), n, k, c, sum(counts)] for k, c in enumerate(counts)]
    if args.data:
        write_data(args.data, ["duration_s: %g" % args.duration, "interpreter: %s" % INTERPRETER,
                               "gil: %s" % gil_kind()],
                   ["mode", "interpreter", "gil", "workers", "worker", "calls", "total_calls"], rows)


# ---- arguments ---------------------------------------------------------------------------


def name_list(allowed):
    def parse(text):
        names = text.split(",")
        for name in names:
            if name not in allowed:
                raise argparse.ArgumentTypeError("'%s' is not one of %s" % (name, ", ".join(allowed)))
        return names
    return parse


def sigma(text):
    return 0.0 if text in ("0", "0s", "0ms") else duration(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="experiment")
    sub.required = True

    sc = sub.add_parser("scaling", help="serial, threads and processes for each workload")
    sc.add_argument("--workloads", type=name_list(["sleep", "api", "factorize", "compute"]),
                    default=["sleep", "api", "factorize", "compute"])
    sc.add_argument("--modes", type=name_list(["serial", "threads", "processes"]),
                    default=["serial", "threads", "processes"])
    sc.add_argument("--io-workers", type=int_list(1, 256), help="default 1,2,4,8,16 (--quick: 1,4,16)")
    sc.add_argument("--cpu-workers", type=int_list(1, 64), help="default 1,2,4 (--quick: 1,2)")
    sc.add_argument("--io-tasks", type=positive, default=16)
    sc.add_argument("--cpu-tasks", type=positive, default=12)
    sc.add_argument("--delay", type=duration, help="each sleep or answer (default 50ms)")
    sc.add_argument("--sd", type=sigma, default=0.0, help="sigma of the sleeps (default 0)")
    sc.add_argument("--timeout", type=duration, default=10.0)
    sc.add_argument("--factorize-base", type=positive, help="default 3000001")
    sc.add_argument("--compute-n", type=positive, help="turns of the compute loop (default 150000)")
    sc.add_argument("--repeat", type=positive, help="default 3")
    sc.add_argument("--seed", type=positive, default=1)
    sc.add_argument("--server", default=DEFAULT_SERVER, help="the api_server program")
    sc.add_argument("--quick", action="store_true", help="smaller batches: seconds, not minutes")
    sc.add_argument("--data")

    dp = sub.add_parser("display", help="results as they come, task times against wall time")
    dp.add_argument("--tasks", type=positive, default=8)
    dp.add_argument("--workers", type=positive, default=4)
    dp.add_argument("--pool", type=name_list(["threads", "processes"]), default=["threads"])
    dp.add_argument("--delay", type=duration, default=0.2)
    dp.add_argument("--sd", type=sigma, default=0.05)
    dp.add_argument("--seed", type=positive, default=1)

    cl = sub.add_parser("calls", help="calls in a fixed time, threads against processes")
    cl.add_argument("--modes", type=name_list(["threads", "processes"]), default=["threads", "processes"])
    cl.add_argument("--workers", type=int_list(1, 64), default=[1, 2, 4])
    cl.add_argument("--duration", type=duration, default=1.0)
    cl.add_argument("--margin", type=duration, default=0.05,
                    help="how long before the count starts, for every worker to be ready")
    cl.add_argument("--data")

    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)   # each row as it is measured, also into a pipe
    if args.experiment == "scaling":          # what is not given: --quick's, or the full run's
        full = {"io_workers": [1, 2, 4, 8, 16], "cpu_workers": [1, 2, 4], "repeat": 3,
                "factorize_base": 3000001, "compute_n": 150000, "delay": 0.05}
        quick = {"io_workers": [1, 4, 16], "cpu_workers": [1, 2], "repeat": 1,
                 "factorize_base": 1000001, "compute_n": 40000, "delay": 0.02}
        for key, value in (quick if args.quick else full).items():
            if getattr(args, key) is None:
                setattr(args, key, value)
    if args.experiment == "display":
        args.pool = args.pool[0]
    {"scaling": run_scaling, "display": run_display, "calls": run_calls}[args.experiment](args)


if __name__ == "__main__":
    main()
