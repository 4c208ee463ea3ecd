#!/usr/bin/env python3
"""gil_cpython.py - the chapter's GIL experiments in a real CPython: 2.7, 3.x or free-threaded.

The same measurements as the simulation, so that each simulated GIL can be
held against the interpreter it stands for on one machine: the old GIL
against CPython 2.7, the new one against 3.2 and later, none against a
free-threaded 3.13t or 3.14t. It runs under Python 2.7 and 3.x alike, asks
the interpreter what it is, and labels every row with its version
(interpreter: 2.7.18, 3.11.7, 3.13.5, 3.13.5t) and its GIL as it reports
it (gil: old without sys.setswitchinterval, none when sys._is_gil_enabled()
says so, new otherwise).

  cpu       CPU-bound work (count down from --work) split among threads and
            among processes; speed-up over the same work done serially
            (compare gil_cpu)
  switches  CPU-bound threads; hand-offs per second and the median slice,
            for each switch interval where the interpreter has one (2.7 has
            none: interval_us is "-") (compare gil_switches). Each run is
            made twice: once only counting the hand-offs (switches_per_s),
            once noting the time of each (median_slice_ms, and
            timed_switches_per_s: what the noting leaves of the rate), timed
            from the moment every thread runs (as gil_switches's are within
            microseconds of its start); and turn_ns is the time per turn on
            each core, timed in the same process before and after (the
            mean, min and max)
  convoy    a short time.sleep() timed alone and beside CPU-bound threads
            (compare gil_convoy)
  ticks     what one turn of the countdown loop costs in ticks of Python 2's
            check interval, read from the interpreter's own ticker
  turn      how long a turn of the countdown takes on each core, timed
            by a thread pinned there (the simulation's --unit, from
            side_by_side.py)
  place     the serial run, one worker thread, the serial run again, round
            after round: their times and the core each ran on (the worker
            of cpu --workers 1 on all cores, and how far the serial run
            moves from one moment to the next)
  runs      the cpu experiment (threads only) run --runs times, each in a
            fresh interpreter, with the simulation's gil_cpu after each run
            (--simulation): how far one run's speed-ups are from the next's
  about     the interpreter's label and GIL, as the rows give them ("2.7.18 old")

  python3 gil_cpython.py cpu --workers 1,2,4 --processes 1,2,4 --data cpu.tsv
  python2.7 gil_cpython.py switches --threads 2,4 --cpus 1
  python3.13t gil_cpython.py convoy --cpu-threads 0,1,2 --intervals 5ms
  python3 gil_cpython.py runs --runs 5 --simulation build/chapter03/gil_cpu

Every experiment takes --cpus N (run on N cores only) and --data FILE (a
TSV with the same provenance lines as the C programs, written to a
temporary name and renamed into place).
"""

from __future__ import division, print_function

import argparse
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import (allowed_cpus, clock, confine_to_cpus, cores, duration,  # noqa: E402
                      duration_list, gil_kind, int_list, interpreter_label, mean, median,
                      middle_mean, positive, set_affinity, write_data)

INTERPRETER = interpreter_label()     # 2.7.18, 3.13.5, 3.13.5t, ...
GIL = gil_kind()                      # old, new or none, as the interpreter says

# ---- cpu: threads and processes against serial ------------------------------------------


def countdown(n):
    while n > 0:
        n -= 1


def time_threads(n, work):
    threads = [threading.Thread(target=countdown, args=(work // n,)) for _ in range(n)]
    start = clock()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return clock() - start


def time_processes(n, work):
    processes = [multiprocessing.Process(target=countdown, args=(work // n,)) for _ in range(n)]
    start = clock()
    for p in processes:
        p.start()
    for p in processes:
        p.join()
        if p.exitcode != 0:
            sys.exit("gil_cpython.py: worker process failed with exit code %s" % p.exitcode)
    return clock() - start


def time_serial(work):
    start = clock()
    countdown(work)
    return clock() - start


def run_cpu(args):
    series = [("serial", "-", 1)]
    series += [("threads", GIL, n) for n in args.workers]
    series += [("processes", "-", n) for n in args.processes if n > 0]
    times = dict((s, []) for s in series)
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
    serial = median(times[series[0]])
    rows = []
    print("%-9s %-4s %7s %9s %8s   (CPython %s, %d core(s))"
          % ("mode", "gil", "workers", "median_s", "speedup", INTERPRETER, args.cpus))
    for s in series:
        t = times[s]
        mid = median(t)
        print("%-9s %-4s %7d %9.3f %7.2fx" % (s[0], s[1], s[2], mid, serial / mid))
        rows.append([s[0], s[1], s[2], args.cpus, args.repeat, "%.4f" % mid, "%.4f" % min(t),
                     "%.4f" % max(t), "%.3f" % (serial / mid), "%.4g" % (args.work / mid), INTERPRETER])
    if args.data:
        write_data(args.data, ["work: countdown from %d" % args.work,
                               "work_per_s: turns of the countdown loop per second of wall time"],
                   ["mode", "gil", "workers", "cpus", "repeats", "median_s", "min_s", "max_s",
                    "speedup", "work_per_s", "interpreter"], rows)


# ---- switches: who runs when ------------------------------------------------------------

CHUNK = 10  # turns of the countdown between two looks at who ran last


def gate(me, last, go, ready):
    """Say this thread runs, then run as after the gate (CPU-bound, CHUNK
    turns at a time, noting that we ran last) until every thread runs and
    `go` is set: the window the hand-offs are counted in starts in the
    steady state, not while threads are still being started. Each
    threading.Thread.start() waits for its thread to take the GIL, which
    under 3.x can take an interval or more (a few ms each, tens of ms for
    three threads, measured) and under 2.7 on one core up to a tick or two."""
    ready.append(me)
    while not go[0]:
        n = CHUNK
        while n > 0:
            n -= 1
        last[0] = me


def count_handoffs(me, last, go, ready, stop, counts):
    """As note_handoffs, but only counting: a hand-off costs the thread that
    sees it one addition instead of a clock read and a list append. The two
    loops are written out apart on purpose: passing the work on a hand-off
    in as a function would add a call to every hand-off, the very cost that
    counting leaves out."""
    gate(me, last, go, ready)
    seen = 0
    while not stop[0]:
        n = CHUNK
        while n > 0:
            n -= 1
        if last[0] is not me:
            last[0] = me
            seen += 1
    counts.append(seen)


def note_handoffs(me, last, go, ready, stop, changes):
    """Run CPU-bound (the countdown, CHUNK turns at a time) until `stop`; after
    each chunk, if another thread was the last to run, note the time: the
    GIL came to us. Only one thread runs bytecode at a time, so `last` needs
    no lock, and every hand-off is seen within a chunk (under Python 2 a
    thread keeps the GIL at least 100 ticks, two and a half chunks)."""
    gate(me, last, go, ready)
    while not stop[0]:
        n = CHUNK
        while n > 0:
            n -= 1
        if last[0] is not me:
            last[0] = me
            changes.append(clock())


def run_threads(target, n, seconds):
    """n threads running target(me, last, go, ready, stop, out), timed for
    `seconds` from the moment all of them run (the gate): their outs, and
    the window's start and end."""
    last, go, ready, stop = [None], [False], [], [False]
    outs = [[] for _ in range(n)]
    threads = [threading.Thread(target=target, args=(object(), last, go, ready, stop, outs[i]))
               for i in range(n)]
    for t in threads:
        t.start()
    while len(ready) < n:   # started, but not yet all in their loop
        time.sleep(0.001)
    start = clock()         # then the gate opens: no hand-off is counted before `start`
    go[0] = True
    time.sleep(seconds)
    stop[0] = True
    end = clock()
    for t in threads:
        t.join()
    return outs, start, end


def one_count_run(n, seconds):
    """n CPU-bound threads for `seconds`, only counting: hand-offs per second."""
    counts, start, end = run_threads(count_handoffs, n, seconds)
    # The thread that ran last before the gate opened noted so: every count is a hand-off.
    return sum(c[0] for c in counts) / (end - start)


def one_switches_run(n, seconds):
    """n CPU-bound threads for `seconds`, noting the time of every hand-off:
    (hand-offs per second, median slice in ms)."""
    changes, start, end = run_threads(note_handoffs, n, seconds)
    # Every hand-off in the window, in time order.
    times = sorted(t for per_thread in changes for t in per_thread if t <= end)
    handoffs = len(times)
    # A slice: from one hand-off to the next (the time before the first and
    # after the last are cut short by the window, and not slices).
    slices = [(b - a) * 1e3 for a, b in zip(times, times[1:])]
    return handoffs / (end - start), (median(slices) if slices else 0.0)


TURN_WORK = 1000000   # turns of the countdown that time one core


def cpus_turn_ns():
    """The time per turn of the countdown on each core this process may use,
    each timed by a thread that pins itself there (best of three): the speed
    of a turn on this machine now. The cores of a virtual machine can differ
    by tens of percent, and which is the slow one changes from one moment to
    the next, so one thread timed on one core does not stand for a run that
    uses them all."""
    best = []

    def timed(cpu):
        set_affinity([cpu])
        best.append(min(time_serial(TURN_WORK) for _ in range(3)) / TURN_WORK * 1e9)
    cpus = allowed_cpus()
    for cpu in cpus:   # one at a time
        t = threading.Thread(target=timed, args=(cpu,))
        t.start()
        t.join()
    if len(best) != len(cpus):   # a thread failed (its traceback is on stderr)
        sys.exit("gil_cpython.py: could not time a turn on every core (%s)" % cpus)
    return best


def run_switches(args):
    rows = []
    intervals = args.intervals if GIL == "new" else [None]   # only the new GIL has one
    print("%-4s %7s %11s %14s %15s %14s %8s   (CPython %s, %d core(s))"
          % ("gil", "threads", "interval_us", "switches_per_s", "median_slice_ms",
             "timed_per_s", "turn_ns", INTERPRETER, args.cpus))
    if GIL == "none":
        print("no GIL: nothing is handed over, so there is nothing to count")
    old_interval = sys.getswitchinterval() if GIL == "new" else None
    for n in args.threads if GIL != "none" else []:
        turns = cpus_turn_ns()   # the speed of a turn on each core: before the runs ...
        measured = []
        for interval in intervals:
            if interval is not None:
                sys.setswitchinterval(interval)
            rates, timed, slices = [], [], []
            for _ in range(args.repeat):
                rates.append(one_count_run(n, args.duration))
                if not args.count_only:
                    rate, slice_ms = one_switches_run(n, args.duration)
                    timed.append(rate)
                    slices.append(slice_ms)
            measured.append((interval, rates, timed, slices))
        turns += cpus_turn_ns()   # ... and after them
        turn_ns = ["%.2f" % f(turns) for f in (mean, min, max)]
        for interval, rates, timed, slices in measured:
            shown = "-" if interval is None else "%d" % round(interval * 1e6)
            if slices:   # median, min, max of the slices; the timed run's rate
                slice_ms = ["%.4f" % f(slices) for f in (median, min, max)]
                timed_rate = "%.2f" % median(timed)
            else:        # --count-only: nothing timed, so no slices
                slice_ms, timed_rate = ["-"] * 3, "-"
            print("%-4s %7d %11s %14.1f %15s %14s %8s" % (GIL, n, shown, median(rates),
                                                         slice_ms[0], timed_rate, turn_ns[0]))
            rows.append([GIL, n, shown, args.cpus, args.repeat, "%.2f" % median(rates),
                         slice_ms[0], "%.2f" % min(rates), "%.2f" % max(rates), slice_ms[1],
                         slice_ms[2], timed_rate] + turn_ns + [INTERPRETER])
    if old_interval is not None:
        sys.setswitchinterval(old_interval)
    if args.data:
        comments = ["duration_s: %s" % args.duration,
                    "method: after every %d turns of the countdown a thread looks whether another "
                    "thread ran last, from the moment all the threads run (a gate); each run "
                    "twice, once counting the hand-offs (switches_per_s), once noting the time "
                    "of each (median_slice_ms, timed_switches_per_s)" % CHUNK,
                    "turn_ns: the time per turn of the countdown, on each core in turn (a thread "
                    "pinned there, %d turns, best of 3), before the thread count's runs and after "
                    "them: the mean (min_turn_ns, max_turn_ns: the fastest and the slowest)"
                    % TURN_WORK]
        if GIL == "none":
            comments.append("no GIL: nothing is handed over, no rows")
        write_data(args.data, comments,
                   ["gil", "threads", "interval_us", "cpus", "repeats", "switches_per_s",
                    "median_slice_ms", "min_switches_per_s", "max_switches_per_s",
                    "min_slice_ms", "max_slice_ms", "timed_switches_per_s", "turn_ns",
                    "min_turn_ns", "max_turn_ns", "interpreter"], rows)


# ---- convoy: a short sleep beside CPU-bound threads -----------------------------------------


def spin_until(stop):
    """CPU-bound, 256 turns of the countdown between looks at `stop` (as gil_convoy's spinners)."""
    while not stop[0]:
        n = 256
        while n > 0:
            n -= 1


def run_convoy(args):
    rows = []
    intervals = args.intervals if GIL == "new" else [None]
    old_interval = sys.getswitchinterval() if GIL == "new" else None
    print("blocking operation: time.sleep(%.3f ms), %d times (CPython %s, %d core(s))"
          % (args.op * 1e3, args.ops, INTERPRETER, args.cpus))
    print("%-4s %11s %11s %13s %10s %10s %11s" % ("gil", "cpu_threads", "interval_us",
                                                  "median_op_ms", "min_op_ms", "max_op_ms",
                                                  "between_us"))
    for interval in intervals:
        if interval is not None:
            sys.setswitchinterval(interval)
        for n in args.cpu_threads:
            stop = [False]
            spinners = [threading.Thread(target=spin_until, args=(stop,)) for _ in range(n)]
            for t in spinners:
                t.start()
            ops, between, back = [], [], None
            for _ in range(args.ops):
                start = clock()
                if back is not None:   # the Python between two calls, this line's too
                    between.append((start - back) * 1e6)
                time.sleep(args.op)
                back = clock()
                ops.append((back - start) * 1e3)
            stop[0] = True
            for t in spinners:
                t.join()
            shown = "-" if interval is None else "%d" % round(interval * 1e6)
            mid = median(ops)
            gap = "%.2f" % median(between) if between else "-"   # one op: no gap to time
            print("%-4s %11d %11s %13.3f %10.3f %10.3f %11s" % (GIL, n, shown, mid, min(ops),
                                                                max(ops), gap))
            rows.append([GIL, n, shown, args.cpus, args.ops, "%.4f" % mid, "%.4f" % min(ops),
                         "%.4f" % max(ops), gap, "%.4f" % middle_mean(ops), INTERPRETER])
    if old_interval is not None:
        sys.setswitchinterval(old_interval)
    if args.data:
        write_data(args.data, ["op: time.sleep of %.3f ms" % (args.op * 1e3),
                               "between_us: the median time from one sleep's return to the next "
                               "call, the Python between two calls (gil_convoy's --between)",
                               "middle_mean_op_ms: the mean of the middle half of the operations "
                               "(the quarter shortest and the quarter longest left out)"],
                   ["gil", "cpu_threads", "interval_us", "cpus", "ops", "median_op_ms",
                    "min_op_ms", "max_op_ms", "between_us", "middle_mean_op_ms", "interpreter"],
                   rows)


# ---- ticks: what a turn of the loop costs in Python 2's check interval -------------------------


def ticks_per_turn(ticker, turns):
    """Ticks that `turns` turns of the countdown take, read from Python 2's
    _Py_Ticker before and after (the reading's own ticks cancel out against
    a run of no turns; the ticker counts down and restarts at the check interval)."""
    def ticks(k):
        n = k
        before = ticker.value
        while n > 0:
            n -= 1
        after = ticker.value
        return (before - after) % (sys.getcheckinterval() + 1)
    return (ticks(turns) - ticks(0)) / turns


def run_ticks(args):
    if GIL != "old":
        print("CPython %s has no ticks: %s, and its eval loop checks the eval breaker once a "
              "turn, at the backward jump" % (INTERPRETER, "it has no GIL" if GIL == "none" else
                                              "its GIL counts time (the switch interval)"))
        row = [INTERPRETER, GIL, "-", args.turns, "-"]
    else:
        import ctypes
        ticker = ctypes.c_int.in_dll(ctypes.pythonapi, "_Py_Ticker")
        per_turn = median([ticks_per_turn(ticker, args.turns) for _ in range(args.repeat)])
        print("CPython %s: check interval %d ticks; one turn of `while n > 0: n -= 1` costs "
              "%.2f ticks: the GIL is let go every %.1f turns"
              % (INTERPRETER, sys.getcheckinterval(), per_turn, sys.getcheckinterval() / per_turn))
        row = [INTERPRETER, GIL, sys.getcheckinterval(), args.turns, "%.2f" % per_turn]
    if args.data:
        write_data(args.data, ["ticks: read from the interpreter's _Py_Ticker (ctypes) around "
                               "--turns turns, less a run of none"],
                   ["interpreter", "gil", "check_interval", "turns", "ticks_per_turn"], [row])


# ---- turn: how long a turn of the countdown takes on each core ----------------------------


def run_turn(args):
    cpus = allowed_cpus()
    passes = [cpus_turn_ns() for _ in range(args.repeat)]
    # over_fastest: this core's turn over the fastest core's, in the same pass
    rows = [[one, cpu, "%.2f" % ns, "%.3f" % (ns / min(turns)), INTERPRETER]
            for one, turns in enumerate(passes, 1) for cpu, ns in zip(cpus, turns)]
    for name, reduce in (("median", median), ("min", min), ("max", max)):
        for i, cpu in enumerate(cpus):
            rows.append([name, cpu, "%.2f" % reduce([turns[i] for turns in passes]),
                         "%.3f" % reduce([turns[i] / min(turns) for turns in passes]), INTERPRETER])
    print("%-6s %4s %8s %12s   (CPython %s)" % ("repeat", "cpu", "turn_ns", "over_fastest",
                                                 INTERPRETER))
    for row in rows:
        print("%-6s %4s %8s %12s" % tuple(row[:4]))
    if args.data:
        write_data(args.data, ["turn_ns: the time per turn of the countdown in a thread pinned to "
                               "the core, %d turns, best of 3; the cores one after the other, "
                               "--repeat times" % TURN_WORK,
                               "over_fastest: the core's turn over the fastest core's in the "
                               "same repeat",
                               "the last rows: median, min and max over the repeats, per core"],
                   ["repeat", "cpu", "turn_ns", "over_fastest", "interpreter"], rows)


# ---- place: where one thread runs against the serial run ------------------------------------


def cpu_now():
    """The core the calling thread is on, as the kernel says (field 39 of
    /proc/thread-self/stat; Python 2.7 has no os.sched_getcpu)."""
    with open("/proc/thread-self/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[36])


def placed(work, out):
    """The countdown, noting the core at its start and at its end."""
    first = cpu_now()
    countdown(work)
    out.append((first, cpu_now()))


def timed_placed(work, in_thread):
    """(seconds, first core, last core) of one countdown, in the calling thread or in a new one."""
    out = []
    start = clock()
    if in_thread:
        t = threading.Thread(target=placed, args=(work, out))
        t.start()
        t.join()
    else:
        placed(work, out)
    took = clock() - start
    if not out:   # the thread failed (its traceback is on stderr)
        sys.exit("gil_cpython.py: the worker thread did not finish its countdown")
    return (took,) + out[0]


def cores_shown(first, last):
    """"core", or "core>core" where the countdown moved."""
    return "%d" % first if first == last else "%d>%d" % (first, last)


def run_place(args):
    """The serial run, one worker thread, the serial run again, --rounds
    times: the times, the core each ran on, and the ratios. The second
    serial run is the same work on the same core a moment later: how far
    the interpreter's own speed moves between two runs, against which the
    worker's ratio is read."""
    rows = []
    time_serial(args.work // 4)   # warm up, untimed
    line = "%-6s %9s %6s %9s %6s %9s %6s %9s %9s"   # every column but thread_elsewhere and the label
    print(line % ("round", "serial_s", "cpu", "thread_s", "cpu", "again_s", "cpu", "thread/s",
                  "again/s") + "   (CPython %s, %d core(s))" % (INTERPRETER, args.cpus))
    for r in range(1, args.rounds + 1):
        serial, serial_first, serial_last = timed_placed(args.work, False)
        thread, thread_first, thread_last = timed_placed(args.work, True)
        again, again_first, again_last = timed_placed(args.work, False)
        rows.append([r, "%.4f" % serial, cores_shown(serial_first, serial_last),
                     "%.4f" % thread, cores_shown(thread_first, thread_last),
                     int(thread_first != serial_first),   # the worker began on another core
                     "%.4f" % again, cores_shown(again_first, again_last),
                     "%.3f" % (thread / serial), "%.3f" % (again / serial), INTERPRETER])
        print(line % tuple(rows[-1][:5] + rows[-1][6:10]))
    summary = summary_rows(rows, [1, 3, 5, 6, 8, 9])
    for row in summary:
        row[-1] = INTERPRETER
        print(line % tuple(row[:5] + row[6:10]))
    rows += summary
    if args.data:
        write_data(args.data, ["work: countdown from %d, in the main thread (serial), in one worker "
                               "thread (thread), in the main thread again (again), one after the "
                               "other, --rounds times" % args.work,
                               "serial_cpu, thread_cpu, again_cpu: the core the countdown began on "
                               "and, where it moved, the one it ended on (a>b)",
                               "thread_elsewhere: 1 where the worker began on another core than "
                               "the serial run before it",
                               "the last rows: median, min and max of each figure over the rounds"],
                   ["round", "serial_s", "serial_cpu", "thread_s", "thread_cpu",
                    "thread_elsewhere", "again_s", "again_cpu", "thread_over_serial",
                    "again_over_serial", "interpreter"], rows)


# ---- runs: the cpu experiment again and again, the simulation beside it --------------------


def run_runs(args):
    """The cpu experiment --runs times, each run in a fresh interpreter (as a
    rerun by hand would be) and the simulation's right after it, under the
    same load: one row per run, then the spread over the runs."""
    workers = ",".join(str(n) for n in args.workers)
    common = ["--workers", workers, "--processes", "0", "--work", str(args.work),
              "--repeat", str(args.repeat), "--cpus", str(args.cpus)]
    programs = [("py", [sys.executable, os.path.abspath(__file__), "cpu"] + common)]
    if args.simulation:
        programs.append(("sim", [args.simulation, "--gil", GIL] + common))
    columns = ["run", "load_1min"]
    for name, _ in programs:
        columns += [name + "_serial_s", name + "_serial_min_s", name + "_serial_max_s"]
        columns += ["%s_speedup_%d" % (name, n) for n in args.workers]
    rows, simulation_build = [], []
    print(" ".join("%6s" % c for c in columns))
    scratch = tempfile.mkdtemp(prefix="gil_cpython_runs.")
    try:
        for run in range(1, args.runs + 1):
            row = [run, "%.2f" % os.getloadavg()[0]]
            for name, command in programs:
                data = os.path.join(scratch, "%s-%d.tsv" % (name, run))
                with open(os.devnull, "w") as quiet:
                    status = subprocess.call(command + ["--data", data], stdout=quiet)
                if status != 0:
                    sys.exit("gil_cpython.py: %s failed with exit status %d" % (command[0], status))
                comments, table = read_data(data)
                if name == "sim" and not simulation_build:
                    simulation_build = [c for c in comments if c.startswith(("compiler:", "cflags:"))]
                row += one_run(table, args.workers)
            print(" ".join("%*s" % (max(len(c), 6), v) for c, v in zip(columns, row)))
            sys.stdout.flush()
            rows.append(row)
    finally:
        shutil.rmtree(scratch)
    rows += summary_rows(rows)
    for row in rows[-3:]:
        print(" ".join("%*s" % (max(len(c), 6), v) for c, v in zip(columns, row)))
    if args.data:
        comments = ["work: countdown from %d (CPython), %d bytecodes (simulation)" % (args.work, args.work),
                    "runs: %d, each a fresh interpreter: gil_cpython.py cpu " % args.runs + " ".join(common)]
        if args.simulation:
            comments.append("simulation: " + " ".join([args.simulation, "--gil", GIL] + common)
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
    serial = [r for r in table if r["mode"] == "serial"][0]
    speedups = dict((int(r["workers"]), r["speedup"]) for r in table if r["mode"] == "threads")
    return [serial["median_s"], serial["min_s"], serial["max_s"]] + [speedups[n] for n in workers]


def summary_rows(rows, columns=None):
    """Median, min and max of each of `columns` (by default every column but
    the first, the run's number), formatted as the rows are (a whole number
    as %g: a median may fall between two), and "-" in the other columns."""
    if columns is None:
        columns = range(1, len(rows[0]))
    summary = []
    for label, reduce in (("median", median), ("min", min), ("max", max)):
        row = [label] + ["-"] * (len(rows[0]) - 1)
        for i in columns:
            decimals = len(str(rows[0][i]).partition(".")[2])
            value = reduce([float(r[i]) for r in rows])
            row[i] = "%.*f" % (decimals, value) if decimals else "%g" % value
        summary.append(row)
    return summary


def executable(text):
    if not (os.path.isfile(text) and os.access(text, os.X_OK)):
        raise argparse.ArgumentTypeError("'%s' is not an executable file" % text)
    return text


def turn_count(text):
    value = positive(text)
    if value > 30:    # 30 turns, 90 ticks: less than one check interval, no wrap-around to untangle
        raise argparse.ArgumentTypeError("%d is out of range (1 to 30)" % value)
    return value


def cpu_count(text):
    value = positive(text)
    if value > cores():
        raise argparse.ArgumentTypeError("%d is out of range (1 to the %d cores allowed)"
                                         % (value, cores()))
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="experiment")
    sub.required = True                   # (add_subparsers(required=...) is 3.7+)

    def experiment(name, text):
        p = sub.add_parser(name, help=text)
        p.add_argument("--cpus", type=cpu_count, default=cores(),
                       help="run on this many cores only (default: all allowed)")
        p.add_argument("--data")
        return p

    cpu = experiment("cpu", "threads and processes against serial")
    cpu.add_argument("--workers", type=int_list(1, 64), default=[1, 2, 4])
    cpu.add_argument("--processes", type=int_list(0, 64), default=[1, 2, 4])
    cpu.add_argument("--work", type=positive, default=40000000)
    cpu.add_argument("--repeat", type=positive, default=3)

    sw = experiment("switches", "hand-offs per second and slice length")
    sw.add_argument("--threads", type=int_list(1, 64), default=[2])
    sw.add_argument("--intervals", type=duration_list, default=[0.0005, 0.001, 0.005, 0.05])
    sw.add_argument("--duration", type=duration, default=2.0)
    sw.add_argument("--repeat", type=positive, default=3)
    sw.add_argument("--count-only", action="store_true",
                    help="only count the hand-offs: no timed run, no slices")

    cv = experiment("convoy", "a short sleep beside CPU-bound threads")
    cv.add_argument("--cpu-threads", type=int_list(0, 16), default=[0, 1, 2])
    cv.add_argument("--intervals", type=duration_list, default=[0.0005, 0.005, 0.05])
    cv.add_argument("--op", type=duration, default=150e-6)
    cv.add_argument("--ops", type=positive, default=40)

    tk = experiment("ticks", "Python 2: ticks of the check interval per turn of the countdown")
    tk.add_argument("--turns", type=turn_count, default=30)
    tk.add_argument("--repeat", type=positive, default=5)

    tn = experiment("turn", "the time of a turn of the countdown on each core")
    tn.add_argument("--repeat", type=positive, default=1)

    pl = experiment("place", "one worker thread against the serial run, and where each ran")
    pl.add_argument("--work", type=positive, default=10000000)
    pl.add_argument("--rounds", type=positive, default=12)

    rn = experiment("runs", "the cpu experiment run again and again, the simulation beside it")
    rn.add_argument("--runs", type=positive, default=5)
    rn.add_argument("--workers", type=int_list(1, 64), default=[1, 2, 4])
    rn.add_argument("--work", type=positive, default=40000000)
    rn.add_argument("--repeat", type=positive, default=5)
    rn.add_argument("--simulation", type=executable,
                    help="the simulation's gil_cpu, run after each CPython run")

    sub.add_parser("about", help="the interpreter's label and GIL kind").set_defaults(cpus=cores())

    args = parser.parse_args()
    if args.cpus < cores():
        confine_to_cpus(args.cpus)        # before any thread or process starts
    args.cpus = cores()                   # the rows say where it ran, as the kernel says
    experiments = {"cpu": run_cpu, "switches": run_switches, "convoy": run_convoy,
                   "ticks": run_ticks, "turn": run_turn, "place": run_place, "runs": run_runs,
                   "about": lambda args: print(INTERPRETER, GIL)}
    experiments[args.experiment](args)


if __name__ == "__main__":
    main()
