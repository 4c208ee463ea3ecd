#!/usr/bin/env python3
"""pool_lessons.py - the Python pool lessons of the source documents, each shown by a run.

  pickling      a lambda and a closure sent to a process pool fail with the
                real pickling error; the same callables run in a thread pool
  guard         a script without `if __name__ == "__main__":` started under
                each start method: fork runs it, spawn and forkserver import
                the script again in the child and stop with the real error
  start         what starting a worker costs under fork, spawn and forkserver:
                one Process started and joined, and a pool of --workers
                started, given one task per worker and shut down; beside it,
                what starting the bare interpreter costs (what spawn adds to a
                fork is an exec and that start-up)
  sharing       --workers processes each hand over --items numbers three ways:
                a multiprocessing.Queue, a Manager's list (a proxy: every
                append is a round trip to the manager process), and a
                shared_memory block each writes its own slots of; the totals
                are checked, the cost per item measured
  starmap       Pool.starmap unpacks argument tuples; Pool.map and
                executor.map do not, executor.map takes one iterable per
                argument instead
  defaults      the worker counts ThreadPoolExecutor, ProcessPoolExecutor and
                multiprocessing.Pool choose when given none, beside the core
                counts they come from
  chunks        executor.map with chunksize: the process pool sends chunks of
                consecutive tasks, each run by one worker; the thread pool
                accepts the argument and ignores it

  python3 pool_lessons.py pickling
  python3 pool_lessons.py start --workers 2 --repeat 5 --data start.tsv
  python3 pool_lessons.py sharing --items 2000 --data sharing.tsv
  python3.13t pool_lessons.py defaults

Every lesson prints what it saw; start and sharing take --data FILE (a TSV
with the workbook's provenance lines). Needs Python 3.8 or later.
Compare with chapter 1's creation_cost (fork against fork + exec in C) and
with pool_overhead.py (what a started pool costs per task).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
import multiprocessing
from multiprocessing import shared_memory

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import clock, gil_kind, interpreter_label, median, positive, write_data  # noqa: E402

INTERPRETER = interpreter_label()
METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


def double(x):
    return 2 * x


double_lambda = lambda x: 2 * x    # noqa: E731  (a lambda at module level, as scripts write them)


# ---- pickling: what a process pool can be sent -------------------------------------------


def run_pickling(args):
    factor = 3

    def triple(x):               # a closure: it reads `factor` from run_pickling
        return factor * x
    callables = [("a module-level function", double), ("a lambda", double_lambda),
                 ("a closure", triple)]
    print("CPython %s: the same callables in a thread pool and in a process pool" % INTERPRETER)
    for name, fn in callables:
        for kind, executor in (("threads", ThreadPoolExecutor), ("processes", ProcessPoolExecutor)):
            # snippet-begin: pickling
            with executor(max_workers=1) as pool:
                future = pool.submit(fn, 21)
                try:
                    outcome = "returned %r" % future.result()
                except Exception as e:        # the error the pool hands back
                    outcome = "failed: %s.%s: %s" % (type(e).__module__, type(e).__name__, e)
            # snippet-end: pickling
            print("  %-24s %-10s %s" % (name, kind, outcome))


# ---- guard: the main module imported again ------------------------------------------------

# snippet-begin: unguarded
UNGUARDED = """\
import multiprocessing, os, sys
from concurrent.futures import ProcessPoolExecutor
def square(x):
    return x * x
# one write(), so that the lines of several processes do not mix
os.write(1, b"top level of the script, in %s\\n" % multiprocessing.current_process().name.encode())
context = multiprocessing.get_context(sys.argv[1])
with ProcessPoolExecutor(2, mp_context=context) as pool:     # no `if __name__ == "__main__":`
    print("squares:", list(pool.map(square, range(5))), flush=True)
"""
# snippet-end: unguarded


def run_guard(args):
    print("CPython %s: a script that starts a Pool at its top level, without the guard" % INTERPRETER)
    with tempfile.TemporaryDirectory() as folder:
        script = os.path.join(folder, "unguarded.py")
        with open(script, "w") as f:
            f.write(UNGUARDED)
        for method in METHODS:
            try:
                done = subprocess.run([sys.executable, script, method], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, universal_newlines=True,
                                      timeout=args.timeout)
                output, status = done.stdout, done.returncode
            except subprocess.TimeoutExpired as e:    # its stdout is bytes, whatever the mode
                output = (e.stdout or b"").decode(errors="replace")
                status = "none: killed after %d s" % args.timeout
            print("-- start method %s: exit status %s" % (method, status))
            print_guard_output(output)


# The RuntimeError's message, the first line of it, as multiprocessing words it.
NOT_BOOTSTRAPPED = "An attempt has been made to start a new process before the"


def print_guard_output(output):
    """The lines that tell the story: each process running the top level, the
    squares, the errors. Two workers print their tracebacks at the same moment
    into one pipe, and their writes can interleave within a line (seen under
    load: "RuntimeError" in one line, its ": " in another). Each RuntimeError
    is therefore found by its message, which is written in one piece, and
    shown with the message's first sentence."""
    lines = output.splitlines()
    for k, line in enumerate(lines):
        if NOT_BOOTSTRAPPED in line and "RuntimeError" in output:
            words = " ".join(rest.strip() for rest in lines[k:k + 3])
            sentence = words[words.index(NOT_BOOTSTRAPPED):].split(". ")[0].rstrip(".")
            print("   RuntimeError: " + sentence + ".")
        elif "concurrent.futures.process.BrokenProcessPool" in line:
            print("   " + line[line.index("concurrent.futures.process.BrokenProcessPool"):])
        elif "top level of the script, in " in line:    # its own write(), but maybe mid-line
            print("   " + line[line.index("top level of the script, in "):])
        elif line.startswith("squares"):
            print("   " + line)


# ---- start: what starting a worker costs ------------------------------------------------------


def nothing():
    pass


def start_one(ctx):
    start = clock()
    p = ctx.Process(target=nothing)
    p.start()
    p.join()
    return clock() - start


def start_pool(ctx, workers):
    start = clock()
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        list(pool.map(double, range(workers)))       # every worker started and used once
    return clock() - start


def start_interpreter():
    start = clock()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return clock() - start


def run_start(args):
    print("CPython %s: starting workers, %d repeats (median, min, max in ms)" % (INTERPRETER, args.repeat))
    points = [("interpreter", "-", 1)]
    for method in METHODS:
        points += [("process", method, 1), ("pool", method, args.workers)]
    times = {p: [] for p in points}
    for r in range(args.repeat + 1):          # the points take turns; the first round warms up
        for point in points:
            what, method, workers = point
            if what == "interpreter":
                t = start_interpreter()
            elif what == "process":
                t = start_one(multiprocessing.get_context(method))
            else:
                t = start_pool(multiprocessing.get_context(method), workers)
            if r > 0:
                times[point].append(t * 1e3)
    rows = []
    print("%-12s %-11s %7s %9s %9s %9s" % ("what", "method", "workers", "median_ms", "min_ms", "max_ms"))
    for point in points:
        t = times[point]
        row = list(point) + [INTERPRETER, gil_kind(), args.repeat,
                             "%.3f" % median(t), "%.3f" % min(t), "%.3f" % max(t)]
        rows.append(row)
        print("%-12s %-11s %7d %9s %9s %9s" % tuple(row[:3] + row[6:]))
    if args.data:
        write_data(args.data, ["workers: %d" % args.workers, "default_start_method: %s"
                               % multiprocessing.get_start_method()],
                   ["what", "method", "workers", "interpreter", "gil", "repeats",
                    "median_ms", "min_ms", "max_ms"], rows)


# ---- sharing: Queue, Manager, shared_memory ------------------------------------------------

# snippet-begin: sharing
def hand_over_queue(queue, worker, items):
    for k in range(items):
        queue.put(worker * items + k)            # pickled, through a pipe
    queue.put(None)                              # this worker is done


def hand_over_manager(proxy, worker, items):
    for k in range(items):
        proxy.append(worker * items + k)         # a round trip to the manager


def hand_over_shm(name, worker, items):
    block = shared_memory.SharedMemory(name=name)
    view = block.buf.cast("q")                   # 8-byte integers, in place
    for k in range(items):
        view[worker * items + k] = worker * items + k
    view.release()
    block.close()
# snippet-end: sharing


def share_once(way, workers, items):
    """One run of one way: (seconds, the sum of what arrived)."""
    ctx = multiprocessing.get_context()
    start = clock()
    if way == "queue":
        queue = ctx.Queue()
        procs = [ctx.Process(target=hand_over_queue, args=(queue, w, items)) for w in range(workers)]
        for p in procs:
            p.start()
        total, finished = 0, 0
        while finished < workers:                # read everything before joining
            value = queue.get()
            if value is None:
                finished += 1
            else:
                total += value
        for p in procs:
            p.join()
    elif way == "manager":
        with ctx.Manager() as manager:
            proxy = manager.list()
            procs = [ctx.Process(target=hand_over_manager, args=(proxy, w, items)) for w in range(workers)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            total = sum(proxy)
    else:
        block = shared_memory.SharedMemory(create=True, size=8 * workers * items)
        try:
            procs = [ctx.Process(target=hand_over_shm, args=(block.name, w, items)) for w in range(workers)]
            for p in procs:
                p.start()
            for p in procs:
                p.join()
            view = block.buf.cast("q")
            total = sum(view)
            view.release()
        finally:
            block.close()
            block.unlink()
    elapsed = clock() - start
    if any(p.exitcode != 0 for p in procs):
        sys.exit("pool_lessons.py: a %s worker failed" % way)
    return elapsed, total


def run_sharing(args):
    n = args.workers * args.items
    expected = n * (n - 1) // 2
    print("CPython %s: %d processes hand over %d numbers each (start method %s)"
          % (INTERPRETER, args.workers, args.items, multiprocessing.get_start_method()))
    ways = ["queue", "manager", "shm"]
    times = {w: [] for w in ways}
    for _ in range(args.repeat):
        for way in ways:
            elapsed, total = share_once(way, args.workers, args.items)
            if total != expected:
                sys.exit("pool_lessons.py: %s: the numbers add up to %d, not %d" % (way, total, expected))
            times[way].append(elapsed)
    print("%-8s %9s %9s %9s %12s  %s" % ("way", "median_s", "min_s", "max_s", "per_item_us", "sum"))
    rows = []
    for way in ways:
        t = times[way]
        row = [way, INTERPRETER, gil_kind(), args.workers, args.items, args.repeat, "%.4f" % median(t),
               "%.4f" % min(t), "%.4f" % max(t), "%.3f" % (median(t) / n * 1e6), expected]
        rows.append(row)
        print("%-8s %9s %9s %9s %12s  %d (all there)" % tuple([row[0]] + row[6:]))
    if args.data:
        write_data(args.data, ["start_method: %s" % multiprocessing.get_start_method()],
                   ["way", "interpreter", "gil", "workers", "items", "repeats", "median_s", "min_s",
                    "max_s", "per_item_us", "sum"], rows)


# ---- starmap -------------------------------------------------------------------------------


def run_starmap(args):
    pairs = [(2, 3), (3, 2), (10, 2)]
    print("CPython %s: pow over %s" % (INTERPRETER, pairs))
    # snippet-begin: starmap
    with multiprocessing.Pool(2) as pool:
        print("  Pool.starmap(pow, pairs)         ", pool.starmap(pow, pairs))   # pow(2, 3), ...
        try:
            pool.map(pow, pairs)                                             # pow((2, 3))
        except TypeError as e:
            print("  Pool.map(pow, pairs)              TypeError:", e)
    with ProcessPoolExecutor(2) as pool:
        bases, exponents = zip(*pairs)
        print("  executor.map(pow, bases, exps)   ", list(pool.map(pow, bases, exponents)))
    # snippet-end: starmap


# ---- defaults: the worker counts chosen for you ---------------------------------------------


def run_defaults(args):
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    process_cpus = getattr(os, "process_cpu_count", None)      # 3.13 and later
    # snippet-begin: defaults
    with ThreadPoolExecutor() as threads, ProcessPoolExecutor() as processes:
        thread_default = threads._max_workers           # min(32, cores + 4)
        process_default = processes._max_workers        # the cores
    with multiprocessing.Pool() as pool:
        pool_default = pool._processes                  # the cores
    # snippet-end: defaults
    print("CPython %s" % INTERPRETER)
    print("  os.cpu_count()                 %d" % cpus)
    print("  cores this process may use    %d (sched_getaffinity)" % usable)
    if process_cpus:
        print("  os.process_cpu_count()         %d" % process_cpus())
    print("  ThreadPoolExecutor()           max_workers %d" % thread_default)
    print("  ProcessPoolExecutor()          max_workers %d" % process_default)
    print("  multiprocessing.Pool()         processes %d" % pool_default)


# ---- chunks: chunksize with processes and with threads --------------------------------------


def who_runs(x):
    time.sleep(0.002)                            # long enough for every worker to take part
    return x, os.getpid(), __import__("threading").get_ident()


def runs_of_workers(results):
    """The tasks grouped by the worker that ran them, in order: 0-3 A, 4-7 B, ..."""
    groups, last = [], None
    for x, pid, thread in results:
        worker = (pid, thread)
        if worker != last:
            groups.append([])
            last = worker
        groups[-1].append(x)
    return groups


def run_chunks(args):
    print("CPython %s: executor.map over %d tasks, %d workers, chunksize %d"
          % (INTERPRETER, args.tasks, args.workers, args.chunksize))
    for kind, executor in (("processes", ProcessPoolExecutor), ("threads", ThreadPoolExecutor)):
        with executor(max_workers=args.workers) as pool:
            results = list(pool.map(who_runs, range(args.tasks), chunksize=args.chunksize))
        groups = runs_of_workers(results)
        longest = max(len(g) for g in groups)
        print("  %-9s %d runs of consecutive tasks on one worker, the longest %d: %s"
              % (kind, len(groups), longest, " ".join("%d-%d" % (g[0], g[-1]) for g in groups)))


# ---- arguments --------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="lesson")
    sub.required = True
    sub.add_parser("pickling", help="a lambda and a closure sent to a process pool")
    gd = sub.add_parser("guard", help="no __main__ guard, under each start method")
    gd.add_argument("--timeout", type=positive, default=20, help="seconds before the script is killed")
    st = sub.add_parser("start", help="start-up cost of fork, spawn and forkserver")
    st.add_argument("--workers", type=positive, default=2)
    st.add_argument("--repeat", type=positive, default=5)
    st.add_argument("--data")
    sh = sub.add_parser("sharing", help="Queue, Manager and shared_memory")
    sh.add_argument("--workers", type=positive, default=2)
    sh.add_argument("--items", type=positive, default=5000)
    sh.add_argument("--repeat", type=positive, default=3)
    sh.add_argument("--data")
    sub.add_parser("starmap", help="Pool.starmap against map")
    sub.add_parser("defaults", help="the worker counts chosen when none is given")
    ch = sub.add_parser("chunks", help="executor.map's chunksize, processes and threads")
    ch.add_argument("--tasks", type=positive, default=16)
    ch.add_argument("--workers", type=positive, default=2)
    ch.add_argument("--chunksize", type=positive, default=4)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    lessons = {"pickling": run_pickling, "guard": run_guard, "start": run_start, "sharing": run_sharing,
               "starmap": run_starmap, "defaults": run_defaults, "chunks": run_chunks}
    lessons[args.lesson](args)


if __name__ == "__main__":
    main()
