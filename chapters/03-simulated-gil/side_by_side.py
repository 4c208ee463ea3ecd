#!/usr/bin/env python3
"""side_by_side.py - the simulation beside the real interpreters, round after round.

Seven experiments, each a series of rounds; within a round the programs run
one right after the other, so that they share the machine's state of the
moment, and every figure is a ratio of two runs of that round:

  fidelity  each simulated GIL against the interpreter it stands for: the
            mode each --interpreter reports (gil_cpython.py's gil column:
            old for 2.7, new for 3.x, none for a free-threaded build), run
            as gil_cpu, gil_switches and gil_convoy --gil MODE right after
            gil_cpython.py cpu, switches and convoy under the interpreter,
            with the same threads, on each --cpus. Per round the ratio
            simulation / interpreter of: the speed-up over serial and over
            one worker thread (from the fastest run of each series; beside
            it, from the median run), the hand-offs per second (the
            interpreter's from its counting run), the median slice (from
            its timed run; under the old GIL, of both programs, read at the
            lock by gil_trace.so in a second counting run of each; neither
            without a GIL: nothing is handed over) and the convoy operation
            (the mean of its middle half; beside it, the median); then the
            median, min and max of each ratio over the rounds. The
            simulation's unit lasts as long as a turn of the countdown
            takes the interpreter on the cores of the run,
            timed on each core before and after it (its --unit; --own-unit
            keeps the simulation's): the old GIL lets go every 101 ticks, so
            how often depends on the interpreter's speed, and the cores of a
            virtual machine can run it tens of percent apart, the slow one
            changing from one moment to the next. The simulated I/O thread
            of the convoy holds the GIL between its calls as long as the
            interpreter's: under the new GIL the interpreter's convoy runs
            under gil_trace.so, and beside CPU-bound threads the simulation
            gets gil_convoy --hold, the median hold of that trace; alone,
            and under the other GILs, --between, the Python between two
            calls the interpreter timed alone (its between_us). Under the
            old GIL the simulation's units interpret the countdown as 2.7
            does (--interpret; arrival below shows why).
  race      the old GIL's race on several cores, run by run: 2.7's
            switches --count-only beside gil_switches --gil old (its unit
            that run's turn_ns: a turn on its cores, around it), with the
            context switches each made (getrusage of the child: voluntary and
            involuntary); the hand-offs per second swing from run to run with
            the machine's state, the hand-offs per context switch much less.
  cores     how fast each core runs a turn of the interpreters' countdown
            and a unit of the simulation's work: round after round, each
            --interpreter's gil_cpython.py turn (a thread pinned to each core
            in turn), then on each core gil_cpu's serial run, pinned there
            (its own unit: the multiply-add chain); each figure also over
            the fastest core's in the same round. Why --unit is a mean over
            the cores: a core can run the interpreter much slower than the
            other and the simulation's chain hardly slower at all.
  hold      why the convoy waits one interval or two: round after round,
            each --interpreter (new GIL) runs the convoy beside CPU-bound
            threads under gil_trace.so, then the simulation twice, traced
            too: with --between (the Python between two calls, timed alone)
            and with --hold (the interpreter's hold from its trace). Per run
            from the traces: how long the I/O thread held the GIL between
            its calls, how soon the thread it forced off was waiting again,
            and in how many calls that was before the I/O thread let go.
  arrival   what a thread pays on winning the old GIL from another: round
            after round, for each thread count, 2.7's switches --count-only
            beside gil_switches --gil old (its unit that run's turn_ns), as
            it is and with --interpret, all under gil_trace.so; from the
            traces, the median hold that follows a hand-off against the
            median of those that follow none (the thread took the lock
            straight back), how long letting go and taking back takes, and
            the median slice at the lock; last, 2.7's switches as it times
            its slices (interpreter_timed), traced too, its own slice beside
            the lock's.
  sched     why the new GIL's slice on one core is two scheduler ticks or
            three: round after round, each --interpreter's switches and
            gil_switches --gil new, two threads on one core, each under
            perf's sched_switch tracepoint; from the kernel's record, every
            hand-off, the slice to the next, and how long the thread the
            GIL was taken from, preempted, waited for the core (needs perf,
            and the right to trace: root, or kernel.perf_event_paranoid).
  single    what the GIL buys one thread: the same countdown, serial, under
            a GIL build (--gil-build) and a free-threaded build of the same
            source and flags (--free-threaded), side by side, the order
            swapped every round; and the simulation's none and new modes
            beside them (gil_cpu --workers 1).

  python3 side_by_side.py fidelity --simulation build/chapter03 \\
      --interpreter /opt/workbook-interpreters/bin/python2.7 --interpreter python3 --data f.tsv
  python3 side_by_side.py race --simulation build/chapter03 \\
      --interpreter /opt/workbook-interpreters/bin/python2.7 --runs 12 --data r.tsv
  python3 side_by_side.py cores --simulation build/chapter03 \\
      --interpreter /opt/workbook-interpreters/bin/python2.7 --interpreter python3 --data c.tsv
  python3 side_by_side.py hold --simulation build/chapter03 --interpreter python3 --data h.tsv
  python3 side_by_side.py arrival --simulation build/chapter03 \\
      --interpreter /opt/workbook-interpreters/bin/python2.7 --rounds 10 --data a.tsv
  python3 side_by_side.py sched --simulation build/chapter03 --interpreter python3 --data t.tsv
  python3 side_by_side.py single --simulation build/chapter03 \\
      --gil-build /opt/workbook-interpreters/bin/python3.13 \\
      --free-threaded /opt/workbook-interpreters/bin/python3.13t --data s.tsv

Each writes a TSV (--data) with provenance: the rounds' values (--rounds-data,
fidelity) or one row per round (single), then the median, min and max. It
needs Python 3 itself; the interpreters it runs may be any gil_cpython.py
runs under.
"""

import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "common"))
from workbook import (cores, int_list, int_range, mean, median, positive, duration,  # noqa: E402
                      write_data)

COMPANION = os.path.join(HERE, "gil_cpython.py")
WITHIN = 0.15   # the fidelity aimed for: the simulation within 15% of its interpreter


CHILD = []     # the program running now, until it is reaped
STOPPED = []   # the signal that stopped the run, if one did
STOPS = (signal.SIGTERM, signal.SIGHUP)


def stopped(signum, _frame):
    """SIGTERM or SIGHUP: leave as on any other exit (SIGINT does already),
    then die of the signal (main)."""
    STOPPED.append(signum)
    raise SystemExit(128 + signum)


def stop_group(child):
    """SIGTERM to the child's process group (its own: run_tsv_counting), a
    SIGKILL if it has not ended in ten seconds; the child reaped."""
    for signum, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, None)):
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            pass   # the whole group has ended already
        try:
            child.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def main():
    args = parse_args()
    for signum in STOPS:
        signal.signal(signum, stopped)
    scratch = tempfile.mkdtemp(prefix="side_by_side.")
    try:
        if args.experiment == "fidelity":
            run_fidelity(args, scratch)
        elif args.experiment == "race":
            run_race(args, scratch)
        elif args.experiment == "cores":
            run_cores(args, scratch)
        elif args.experiment == "hold":
            run_hold(args, scratch)
        elif args.experiment == "arrival":
            run_arrival(args, scratch)
        elif args.experiment == "sched":
            run_sched(args, scratch)
        else:
            run_single(args, scratch)
    finally:
        for signum in STOPS:   # a second signal must not cut the cleaning short
            signal.signal(signum, signal.SIG_IGN)
        for child in CHILD:    # stopped while a program ran: its process group
            stop_group(child)  # stops too (a launcher's helpers with it), reaped
        shutil.rmtree(scratch)
        if STOPPED:            # as the programs do: die of the signal
            signal.signal(STOPPED[0], signal.SIG_DFL)
            os.kill(os.getpid(), STOPPED[0])


# ---- fidelity -------------------------------------------------------------------------------


def cpu_jiffies():
    """(stolen, all) clock ticks of every core since boot, from the first line
    of /proc/stat; None where there is none (not Linux)."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except (IOError, OSError):
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    ticks = [int(x) for x in fields[1:9]]   # user nice system idle iowait irq softirq steal
    return ticks[7], sum(ticks)


def steal_share(before, after):
    """The percentage of the cores' time a hypervisor gave to others between
    two cpu_jiffies() readings: "-" where it cannot tell."""
    if before is None or after is None or after[1] <= before[1]:
        return "-"
    return "%.1f" % (100.0 * (after[0] - before[0]) / (after[1] - before[1]))


def run_fidelity(args, scratch):
    rounds = []   # (round, load, unit, quantity, gil, interpreter, threads, cpus, sim, real,
    #                sim_by_medians, real_by_medians, steal)
    for r in range(1, args.rounds + 1):
        for python in args.interpreter:
            for cpus in args.cpus:
                load = "%.2f" % os.getloadavg()[0]
                before = cpu_jiffies()
                block = one_pair(args, python, cpus, scratch)
                steal = steal_share(before, cpu_jiffies())
                for quantity, gil, label, n, unit, sim, real, sim_m, real_m in block:
                    rounds.append([r, load, unit, quantity, gil, label, n, cpus, sim, real, sim_m,
                                   real_m, steal])
        print("round %d of %d done" % (r, args.rounds), file=sys.stderr)
    summary = summarize(rounds)
    print_summary(summary)
    provenance = provenance_lines(args, {row[4] for row in rounds})
    if args.rounds_data:
        write_data(args.rounds_data, provenance + [
            "ratio: simulation / interpreter, in that round",
            "sim_by_medians, real_by_medians, ratio_by_medians: the same figures from each series' "
            "median run (speedup, over_one_thread) and the median operation (convoy_op_ms), "
            "'-' for the others",
            "unit: the simulation's --unit for that figure in that round ('own': its own unit)",
            "steal_pct: the share of the cores' time (every core, /proc/stat) the hypervisor gave "
            "to other machines while that interpreter ran that round on that many cores, in %"],
                   ["round", "load_1min", "unit", "quantity", "gil", "interpreter", "threads",
                    "cpus", "sim", "real", "ratio", "sim_by_medians", "real_by_medians",
                    "ratio_by_medians", "steal_pct"],
                   [row[:8] + [fmt(row[8]), fmt(row[9]), "%.3f" % (row[8] / row[9])]
                    + (["-"] * 3 if row[10] is None else
                       [fmt(row[10]), fmt(row[11]), "%.3f" % (row[10] / row[11])]) + [row[12]]
                    for row in rounds])
    if args.data:
        write_data(args.data, provenance + [
            "sim, real: the medians over the rounds; ratio: the median over the rounds of each "
            "round's simulation / interpreter, ratio_min and ratio_max its smallest and largest",
            "within_15pct: whether the median ratio lies within 15% of 1 (0.85 to 1.15)",
            "speedup: over the same work done serially (in the main thread); over_one_thread: "
            "the time of one worker thread over that of the threads; both from the fastest run "
            "of each series (interference only adds time: the fastest run is the least disturbed)",
            "convoy_op_ms: the mean of the middle half of the operations (middle_mean_op_ms: an "
            "operation waits one switch interval or two, and near half and half the median jumps "
            "between them)",
            "ratio_by_medians, its min and max, within_by_medians: the same from the medians "
            "(speedup and over_one_thread from each series' median run, convoy_op_ms the median "
            "operation), '-' for the quantities that have no other",
            "threads: the threads the work is split among (speedup, over_one_thread; speedup with 1: "
            "one worker thread against the main thread, serially), the CPU-bound threads "
            "(handoffs_per_s, median_slice_ms), the CPU-bound threads beside the one doing "
            "the blocking operation (convoy_op_ms)"],
            ["quantity", "gil", "interpreter", "threads", "cpus", "rounds", "sim", "real",
             "ratio", "ratio_min", "ratio_max", "within_15pct", "ratio_by_medians",
             "by_medians_min", "by_medians_max", "within_by_medians"], summary)


def one_pair(args, python, cpus, scratch):
    """One round of one interpreter on `cpus` cores: every experiment under the
    interpreter, each followed by the simulation's, in the mode the interpreter
    reports, its unit as long as a turn takes the interpreter on the run's
    cores, around the run. Returns (quantity, gil, interpreter, threads, unit,
    sim, real, sim_by_medians, real_by_medians) tuples: the speed-ups from the
    fastest run of each series and the convoy's middle mean, and beside them
    the same from the median run and the median operation (None for the
    quantities that have no other)."""
    common = ["--cpus", str(cpus)]
    one_and_more = sorted(set([1] + args.threads))
    workers = ",".join(str(n) for n in one_and_more)
    turn = [python, COMPANION, "turn"] + common
    turns = core_turns(run_tsv(scratch, turn))   # a turn on each core, before the run ...
    real_cpu = run_tsv(scratch, [python, COMPANION, "cpu", "--workers", workers, "--processes", "0",
                                 "--work", str(args.work), "--repeat", str(args.repeat)] + common)
    turns += core_turns(run_tsv(scratch, turn))  # ... and after it
    gil = threads_gil(real_cpu)
    label = real_cpu[0]["interpreter"]

    def unit_of(ns):
        """The simulation's unit option and the rounds file's word for it."""
        if args.own_unit:
            return "own", []
        # The old GIL's units interpret the countdown as 2.7 does (arrival shows why).
        return "%.0fns" % ns, ["--unit", "%.0fns" % ns] + (["--interpret"] if gil == "old" else [])

    # A turn of the countdown, on the cores of this round's cpu run, around it.
    unit, own = unit_of(mean([float(row["turn_ns"]) for row in turns]))
    sim_cpu = run_tsv(scratch, [os.path.join(args.simulation, "gil_cpu"), "--gil", gil, "--workers",
                                workers, "--processes", "0", "--work", str(args.work),
                                "--repeat", str(args.repeat)] + common + own)
    pairs = []

    def faster(table, column, first, then):
        """How many times faster `then` ran than `first`, by their `column` (min_s or median_s)."""
        return value(table, column, **first) / value(table, column, **then)

    def both(quantity, n, first, then):
        """The pair from each series' fastest run, and beside it the pair from its median run."""
        return (quantity, gil, label, n, unit) + tuple(faster(table, column, first, then)
                                                       for column in ("min_s", "median_s")
                                                       for table in (sim_cpu, real_cpu))
    serial = {"mode": "serial"}
    for n in one_and_more:   # one thread: what being a thread costs, against serial
        pairs.append(both("speedup", n, serial, {"mode": "threads", "workers": n}))
    for n in one_and_more[1:]:
        pairs.append(both("over_one_thread", n, {"mode": "threads", "workers": 1},
                          {"mode": "threads", "workers": n}))
    if gil != "none":   # without a GIL nothing is handed over
        interval = ["--intervals", "5ms"]
        for n in args.threads:   # each thread count, then the simulation's
            run = switches_options(args, n) + interval + common
            # The old GIL's slices are read at the lock (lock_slices): counting is enough.
            real_sw = run_tsv(scratch, [python, COMPANION, "switches"] + run
                              + (["--count-only"] if gil == "old" else []))
            # The switches run timed a turn on its cores, before and after its runs.
            sw_unit, sw_own = unit_of(value(real_sw, "turn_ns", threads=n))
            sim_sw = run_tsv(scratch, [os.path.join(args.simulation, "gil_switches"), "--gil", gil]
                             + run + sw_own)
            pairs.append(("handoffs_per_s", gil, label, n, sw_unit,
                          value(sim_sw, "switches_per_s", threads=n),
                          value(real_sw, "switches_per_s", threads=n), None, None))
            if gil == "old":
                sim_slice, real_slice = lock_slices(args, scratch, python, run, sw_own)
            else:
                sim_slice, real_slice = (value(table, "median_slice_ms", threads=n)
                                         for table in (sim_sw, real_sw))
            if sim_slice is None or real_slice is None:   # a run that handed over once or never
                print("side_by_side.py: %s, %d threads: a traced run too short for a slice; "
                      "this round has no median_slice_ms" % (label, n), file=sys.stderr)
            else:
                pairs.append(("median_slice_ms", gil, label, n, sw_unit, sim_slice, real_slice,
                              None, None))
    pairs += convoy_pairs(args, python, gil, label, common, unit, own, scratch)
    return pairs


def lock_slices(args, scratch, python, run, sim_options):
    """The old GIL's median slice in ms, from one hand-off to the next, read
    at the lock by gil_trace.so: in 2.7's switches --count-only and then in
    gil_switches --gil old with `sim_options` (its unit, --interpret), both
    with the switches options `run`, both traced. 2.7's own slices need its
    timed run, whose note of the time after each hand-off changes them (arrival
    shows by how much); at the lock both programs are read alike. (sim, real)."""
    slices = []
    for i, command in enumerate(([python, COMPANION, "switches", "--count-only"] + run,
                                 [os.path.join(args.simulation, "gil_switches"), "--gil", "old"]
                                 + run + sim_options)):
        trace = run_traced(args, scratch, command, "trace-slices-%d.tsv" % i)[2]
        slice_us = trace_holds(trace)["slice_us"]
        slices.append(None if slice_us is None else slice_us / 1e3)
    return slices[1], slices[0]


def convoy_pairs(args, python, gil, label, common, unit, own, scratch):
    """The convoy under the interpreter, then the simulation's, beside each
    count of CPU-bound threads. The simulated I/O thread holds the GIL between
    its calls as long as the interpreter's does: under the new GIL the
    interpreter runs under gil_trace.so, and beside CPU-bound threads the
    simulation gets --hold, the interpreter's median hold from the trace;
    alone (nobody waits, the trace shows no hold) and under the other GILs it
    gets --between, the Python between two calls the interpreter timed alone."""
    counts = args.convoy_threads
    convoy = ["--intervals", "5ms", "--ops", str(args.ops)] + common
    command = [python, COMPANION, "convoy", "--cpu-threads", ",".join(str(n) for n in counts)]
    traced = gil == "new" and not args.own_unit
    trace = os.path.join(scratch, "trace.tsv")
    real_cv = run_tsv(scratch, command + convoy, trace=(args.tracer, trace) if traced else None)
    holds = {}
    if traced:
        for n, ops in zip(counts, trace_ops(trace, len(counts), args.ops)):
            known = [op["hold_us"] for op in ops if op["hold_us"] is not None]
            if n > 0 and known:
                holds[n] = median(known)
    gap = value(real_cv, "between_us", cpu_threads=0) if 0 in counts else None
    pairs = []
    for n in counts:
        if args.own_unit:
            cv_unit, option = unit, []
        elif n in holds:
            cv_unit, option = "%s/hold%.2fus" % (unit, holds[n]), ["--hold", "%.2fus" % holds[n]]
        elif gap is not None:
            cv_unit, option = "%s/%.2fus" % (unit, gap), ["--between", "%.2fus" % gap]
        else:
            cv_unit, option = unit, []
        sim_cv = run_tsv(scratch, [os.path.join(args.simulation, "gil_convoy"), "--gil", gil,
                                   "--cpu-threads", str(n)] + convoy + own + option)
        pairs.append(("convoy_op_ms", gil, label, n, cv_unit)
                     + tuple(value(table, column, cpu_threads=n)
                             for column in ("middle_mean_op_ms", "median_op_ms")
                             for table in (sim_cv, real_cv)))
    return pairs


def summarize(rounds):
    """One row per (quantity, gil, interpreter, threads, cpus), in the order first met."""
    keys, groups = [], {}
    for row in rounds:
        key = tuple(row[3:8])
        if key not in groups:
            keys.append(key)
            groups[key] = []
        groups[key].append(row)
    def ratios(rows, sim, real):
        """The median, min and max of the rounds' ratios, and whether the median is within."""
        each = [row[sim] / row[real] for row in rows]
        ratio = median(each)
        return ["%.3f" % ratio, "%.3f" % min(each), "%.3f" % max(each),
                "yes" if abs(ratio - 1) <= WITHIN else "no"]
    summary = []
    for key in keys:
        rows = groups[key]
        summary.append(list(key) + [len(rows), fmt(median([row[8] for row in rows])),
                                    fmt(median([row[9] for row in rows]))] + ratios(rows, 8, 9)
                       + (["-"] * 4 if rows[0][10] is None else ratios(rows, 10, 11)))
    return summary


def print_summary(summary):
    line = "%-16s %-4s %-8s %7s %4s %12s %12s %6s %12s %6s %10s"
    print(line % ("quantity", "gil", "python", "threads", "cpus", "simulation", "interpreter",
                  "ratio", "min-max", "within", "by medians"))
    for row in summary:
        q, gil, label, n, cpus, _, sim, real, ratio, low, high, ok, by_medians = row[:13]
        print(line % (q, gil, label, n, cpus, sim, real, ratio, low + "-" + high, ok, by_medians))


# ---- race: the old GIL on several cores, run by run -------------------------------------------


def need_gil(python, experiment, want):
    """The interpreter's label; exits unless it has the GIL `want` (old, new).
    Asked first: a free-threaded interpreter's switches run has no rows at all."""
    label, gil = about(python)
    if gil != want:
        sys.exit("side_by_side.py: %s needs an interpreter with the %s GIL%s; %s reports %s"
                 % (experiment, want, " (CPython 2)" if want == "old" else "", python, gil))
    return label


def switches_options(args, n):
    """The options of one switches run (the companion's or gil_switches's)
    with n threads for --duration."""
    return ["--threads", str(n), "--duration", "%gms" % (args.duration * 1e3), "--repeat", "1"]


def run_traced(args, scratch, command, name):
    """run_tsv_counting under gil_trace.so, its trace in the scratch file
    `name`: (rows, context switches, trace file)."""
    trace = os.path.join(scratch, name)
    return run_tsv_counting(scratch, command, trace=(args.tracer, trace)) + (trace,)


def old_gil_pair(args, scratch, python, n, traced=False, options=((),)):
    """2.7's switches --count-only with n threads, then gil_switches --gil old
    with its unit that run's turn_ns (a turn on its cores, around it), once
    for each of `options` (extra options): the unit, then for each run, the
    interpreter's first, (rows, context switches, trace file), the trace
    file its own, written by gil_trace.so if `traced` (else None)."""
    def one(command, i):
        if traced:
            return run_traced(args, scratch, command, "trace-%d.tsv" % i)
        return run_tsv_counting(scratch, command) + (None,)
    run = switches_options(args, n)
    out = [one([python, COMPANION, "switches", "--count-only"] + run, 0)]
    unit = "%.0fns" % float(out[0][0][0]["turn_ns"])
    for i, extra in enumerate(options, 1):
        out.append(one([os.path.join(args.simulation, "gil_switches"), "--gil", "old",
                        "--unit", unit] + run + list(extra), i))
    return [unit] + out


def run_race(args, scratch):
    python = args.interpreter
    label = need_gil(python, "race", "old")
    rows = []
    for r in range(1, args.runs + 1):
        load = "%.2f" % os.getloadavg()[0]
        for n in args.threads:
            unit, (real, real_switches, _), (sim, sim_switches, _) = old_gil_pair(args, scratch,
                                                                                  python, n)
            pair = {}
            for who, table, switches in (("real", real, real_switches), ("sim", sim, sim_switches)):
                rate = value(table, "switches_per_s", threads=n)
                handoffs = rate * args.duration
                pair[who] = (rate, switches / args.duration, handoffs / switches if switches else 0.0)
            rows.append([r, load, unit, n] + ["%.0f" % pair["sim"][0], "%.0f" % pair["real"][0],
                                              "%.3f" % (pair["sim"][0] / pair["real"][0]),
                                              "%.0f" % pair["sim"][1], "%.0f" % pair["real"][1],
                                              "%.3f" % pair["sim"][2], "%.3f" % pair["real"][2],
                                              "%.3f" % (pair["sim"][2] / pair["real"][2])])
            print("\t".join(str(v) for v in rows[-1]))
        print("run %d of %d done" % (r, args.runs), file=sys.stderr)
    columns = ["run", "load_1min", "unit", "threads", "sim_handoffs_per_s", "real_handoffs_per_s",
               "handoffs_ratio", "sim_ctxsw_per_s", "real_ctxsw_per_s", "sim_handoffs_per_ctxsw",
               "real_handoffs_per_ctxsw", "per_ctxsw_ratio"]
    summary = summary_rows(rows, [3], 4)   # per thread count
    for row in summary:
        print("\t".join(row))
    if args.data:
        write_data(args.data, [
            "interpreter: %s (%s), old GIL" % (python, label),
            "simulation: %s --gil old --unit (the time a turn of the countdown took the "
            "interpreter on each core, before and after the run just before: its turn_ns)"
            % os.path.join(args.simulation, "gil_switches"),
            "each run: for each thread count, switches --count-only --threads N --duration %gs "
            "--repeat 1 under the interpreter (only counting the hand-offs), then the simulation's"
            % args.duration,
            "ctxsw: context switches, voluntary and involuntary, of the whole child process "
            "(getrusage through wait4), per second of --duration",
            "handoffs_per_ctxsw: hand-offs in the run over its context switches",
            "the last rows: median, min and max of each column over the runs, per thread count"],
            columns, rows + summary)


# ---- arrival: the old GIL's first hold on winning the lock ---------------------------------------


def run_arrival(args, scratch):
    python = args.interpreter
    label = need_gil(python, "arrival", "old")
    sources = ["interpreter", "sim", "sim_interpret", "interpreter_timed"]
    rows = []
    for r in range(1, args.rounds + 1):
        load = "%.2f" % os.getloadavg()[0]
        for n in args.threads:
            unit, *runs = old_gil_pair(args, scratch, python, n, True, ((), ("--interpret",)))
            # Last, the interpreter's timed run (it counts first, then notes the
            # times): the slice its Python clock sees beside the one at the lock.
            runs.append(run_traced(args, scratch, [python, COMPANION, "switches"]
                                   + switches_options(args, n), "trace-timed.tsv"))
            for source, (table, _, trace) in zip(sources, runs):
                h = trace_holds(trace)
                own = value(table, "median_slice_ms", threads=n) if source != "interpreter" else None
                rate = "timed_switches_per_s" if source == "interpreter_timed" else "switches_per_s"
                both = h["first_us"] is not None and h["again_us"] is not None
                rows.append([r, load, unit, n, source,
                             "%.0f" % value(table, rate, threads=n), h["holds"], h["handoffs"],
                             "%.3f" % (h["handoffs"] / h["holds"]) if h["holds"] > 0 else "-",
                             us(h["first_us"]), us(h["again_us"]),
                             us(h["first_us"] - h["again_us"] if both else None), us(h["retake_us"]),
                             us(h["slice_us"]), us(None if own is None else own * 1e3)])
                print("\t".join(str(v) for v in rows[-1]))
        print("round %d of %d done" % (r, args.rounds), file=sys.stderr)
    summary = summary_rows(rows, [3, 4], 5, order=lambda key: (int(key[0]), sources.index(key[1])))
    for row in summary:
        print("\t".join(row))
    if args.data:
        write_data(args.data, [
            "interpreter: %s (%s), old GIL" % (python, label),
            "each round, for each thread count: under gil_trace.so (%s) switches --count-only "
            "--threads N --duration %gs --repeat 1 under the interpreter, then, traced too, %s "
            "--gil old --unit (the time a turn of the countdown took the interpreter on each core, "
            "before and after its run: its turn_ns) with the same options, twice: as it is "
            "(source sim: its unit the chain of multiply-adds) and with --interpret "
            "(sim_interpret: its unit a turn of the countdown interpreted as 2.7 does); last, "
            "traced, switches without --count-only under the interpreter (interpreter_timed: "
            "it counts, then runs again noting the time of each hand-off; the trace's figures "
            "are the threads of that timed run)"
            % (args.tracer_shown, args.duration, os.path.join(args.simulation, "gil_switches")),
            "handoffs_per_s: the program's own figure, traced (the tracer's clock reads lengthen "
            "each hold and lower it; interpreter_timed: its timed_switches_per_s)",
            "from the trace, while all N CPU-bound threads ran: holds, from a thread's taking the "
            "lock (the end of its sem_wait) to its letting go (its sem_post); handoffs: the holds "
            "of a thread other than the one before; handoff_share: handoffs / holds",
            "hold_first_us: the median hold that follows a hand-off (the thread has just won the "
            "lock from another); hold_again_us: the median of the others (it took the lock "
            "straight back); arrival_us: hold_first_us - hold_again_us",
            "retake_us: the median time from a thread's letting go to its taking the lock back, "
            "where no other thread took it between",
            "slice_us: the median time from one hand-off (a thread's taking the lock from another) "
            "to the next, the slice gil_switches and gil_cpython.py switches time (the latter by "
            "Python's clock, read by the new holder after the hand-off, here by the tracer's at "
            "the lock)",
            "own_slice_us: the program's own median slice: gil_switches's, by its C clock; "
            "interpreter_timed: the timed run's, by Python's clock (- for the counting run)",
            "- also where a run handed over too seldom to show a figure: no hold after a hand-off "
            "or after none, fewer than two hand-offs for a slice",
            "the last rows: median, min and max of each column over the rounds, per thread count "
            "and source"] + ["simulation " + line for line in BUILD],
            ["round", "load_1min", "unit", "threads", "source", "handoffs_per_s", "holds",
             "handoffs", "handoff_share", "hold_first_us", "hold_again_us", "arrival_us",
             "retake_us", "slice_us", "own_slice_us"], rows + summary)


# ---- cores: each core's speed, for the interpreter and for the simulation ------------------------


def run_cores(args, scratch):
    rows = []
    # Only its serial row is read (the one-thread run it also makes is not).
    unit_run = [os.path.join(args.simulation, "gil_cpu"), "--gil", "none", "--workers", "1",
                "--processes", "0", "--work", str(args.work), "--repeat", "3", "--cpus", "1"]
    for r in range(1, args.rounds + 1):
        load = "%.2f" % os.getloadavg()[0]
        for python in args.interpreter:
            turns = core_turns(run_tsv(scratch, [python, COMPANION, "turn"]))
            units = []   # the simulation's serial run on each core: its unit, alone
            for row in turns:
                sim = run_tsv(scratch, unit_run, cpu=int(row["cpu"]))
                units.append(min(float(v["min_s"]) for v in sim if v["mode"] == "serial")
                             / args.work * 1e9)
            fastest = min(float(row["turn_ns"]) for row in turns)
            for row, unit in zip(turns, units):
                rows.append([r, load, row["interpreter"], row["cpu"], row["turn_ns"],
                             "%.3f" % (float(row["turn_ns"]) / fastest), "%.2f" % unit,
                             "%.3f" % (unit / min(units))])
                print("\t".join(str(v) for v in rows[-1]))
        print("round %d of %d done" % (r, args.rounds), file=sys.stderr)
    # per interpreter and core
    summary = summary_rows(rows, [2, 3], 4, order=lambda key: (key[0], int(key[1])))
    for row in summary:
        print("\t".join(row))
    if args.data:
        write_data(args.data, [
            "interpreters: " + " ".join(args.interpreter),
            "each round: under every interpreter gil_cpython.py turn (a thread pinned to each core "
            "in turn, timing the countdown; its provenance says how long), then on each core "
            "%s (the simulation's unit: serial, its own multiply-add chain, best of 3; pinned "
            "there)" % " ".join(unit_run),
            "turn_over_fastest, unit_over_fastest: the core's figure over the fastest core's in "
            "the same round",
            "the last rows: median, min and max of each column over the rounds, per interpreter "
            "and core"] + ["simulation " + line for line in BUILD],
            ["round", "load_1min", "interpreter", "cpu", "turn_ns", "turn_over_fastest", "unit_ns",
             "unit_over_fastest"], rows + summary)


# ---- hold: how long the I/O thread holds the GIL between its calls --------------------------------


INTERVAL_MS = 5   # the switch interval of the hold experiment's runs


def run_hold(args, scratch):
    rows = []
    n = args.cpu_threads
    convoy = ["--intervals", "%dms" % INTERVAL_MS, "--ops", str(args.ops), "--cpus", str(args.cpus)]
    trace = os.path.join(scratch, "trace.tsv")
    for python in args.interpreter:   # ask first: only the new GIL is built on condition variables
        need_gil(python, "hold", "new")
    for r in range(1, args.rounds + 1):
        for python in args.interpreter:
            load = "%.2f" % os.getloadavg()[0]
            turns = core_turns(run_tsv(scratch, [python, COMPANION, "turn", "--cpus", str(args.cpus)]))
            unit = "%.0fns" % mean([float(row["turn_ns"]) for row in turns])
            real = run_tsv(scratch, [python, COMPANION, "convoy", "--cpu-threads", "0,%d" % n] + convoy,
                           trace=(args.tracer, trace))
            label = real[0]["interpreter"]
            runs = [("interpreter", "-", real, trace_ops(trace, 2, args.ops)[1])]
            gap = "%.2fus" % value(real, "between_us", cpu_threads=0)
            holds = [c["hold_us"] for c in runs[0][3] if c["hold_us"] is not None]
            if not holds:
                sys.exit("side_by_side.py: %s's trace shows no hold beside %d CPU-bound threads"
                         % (python, n))
            hold = "%.2fus" % median(holds)
            for option in (["--between", gap], ["--hold", hold]):
                sim = run_tsv(scratch, [os.path.join(args.simulation, "gil_convoy"), "--gil", "new",
                                        "--cpu-threads", str(n), "--unit", unit] + convoy + option,
                              trace=(args.tracer, trace))
                runs.append(("sim_" + option[0][2:], option[1], sim, trace_ops(trace, 1, args.ops)[0]))
            for source, option, table, calls in runs:
                def two(c):   # the call's wait for the GIL back lasted more than one interval
                    return c["waited_ms"] is not None and c["waited_ms"] > 1.5 * INTERVAL_MS
                forced = [c for c in calls if c["back_first"] is not None]
                first = [c for c in forced if c["back_first"]]
                holds = [c["hold_us"] for c in calls if c["hold_us"] is not None]
                returns = [c["return_us"] for c in forced if c["return_us"] is not None]
                rows.append([r, load, label, source, option, unit, len(calls),
                             "%.4f" % value(table, "median_op_ms", cpu_threads=n),
                             sum(1 for c in calls if two(c)),
                             "%.2f" % median(holds) if holds else "-",
                             "%.2f" % median(returns) if returns else "-",
                             len(forced), len(first), sum(1 for c in first if two(c)),
                             sum(1 for c in forced if not c["back_first"] and two(c))])
                print("\t".join(str(v) for v in rows[-1]))
        print("round %d of %d done" % (r, args.rounds), file=sys.stderr)
    # per interpreter and source; a median of counts can be x.5
    sources = ["interpreter", "sim_between", "sim_hold"]
    summary = summary_rows(rows, [2, 3], 6, order=lambda key: (key[0], sources.index(key[1])),
                           at_least=1)
    for row in summary:
        print("\t".join(row))
    if args.data:
        write_data(args.data, [
            "interpreters: " + " ".join(args.interpreter),
            "each round, under every interpreter: gil_cpython.py turn (the unit: the mean over the "
            "cores), then under gil_trace.so (%s) gil_cpython.py convoy --cpu-threads 0,%d %s, "
            "then, traced too, gil_convoy --gil new --cpu-threads %d with the same options twice: "
            "--between the interpreter's between_us alone (its Python between two calls), --hold "
            "the median hold the interpreter's trace shows beside %d CPU-bound threads"
            % (args.tracer_shown, n, " ".join(convoy), n, n),
            "source: interpreter, sim_between (gil_convoy --between), sim_hold (gil_convoy --hold); "
            "option: the value given",
            "calls: the calls traced (each after the first); median_op_ms: from the program's "
            "own data",
            "two_interval_calls: calls after which the I/O thread got the GIL back more than "
            "one and a half intervals after the call began",
            "median_hold_us: from the end of the I/O thread's last wait for the GIL before a "
            "call to its letting go for the call",
            "median_return_us: from that take to the next wait for the GIL of the thread last "
            "made to let go before it; forced_calls: the calls where such a thread was seen; "
            "back_first_calls: those where it was waiting again before the I/O thread let go; "
            "two_of_back_first, two_of_others: the two-interval calls among those and among "
            "the other forced calls",
            "the last rows: median, min and max of each column over the rounds, per interpreter "
            "and source"] + ["simulation " + line for line in BUILD],
            ["round", "load_1min", "interpreter", "source", "option", "unit", "calls",
             "median_op_ms", "two_interval_calls", "median_hold_us", "median_return_us",
             "forced_calls", "back_first_calls", "two_of_back_first", "two_of_others"],
            rows + summary)


# ---- sched: the new GIL's slice on one core, under the scheduler's tracepoints --------------------


def run_sched(args, scratch):
    """Round after round, each --interpreter's switches and gil_switches --gil
    new, two threads on one core, each under perf's sched_switch tracepoint:
    from the kernel's record, each hand-off, the slice to the next, and how
    long the thread it took the GIL from waited for the core."""
    perf = shutil.which("perf")
    if perf is None:
        sys.exit("side_by_side.py: sched needs perf (apt-get install linux-perf)")
    labels = [need_gil(python, "sched", "new") for python in args.interpreter]
    options = ["--threads", "2", "--intervals", "%gms" % (args.interval * 1e3),
               "--duration", "%gms" % (args.duration * 1e3), "--repeat", "1", "--cpus", "1"]
    record = os.path.join(scratch, "perf.data")
    rows = []
    for r in range(1, args.rounds + 1):
        load = "%.2f" % os.getloadavg()[0]
        runs = [(label, ["interpreter_count", "interpreter_timed"], [python, COMPANION, "switches"])
                for python, label in zip(args.interpreter, labels)]
        runs.append(("-", ["sim"], [os.path.join(args.simulation, "gil_switches"), "--gil", "new"]))
        for label, sources, command in runs:
            table = run_tsv(scratch, [perf, "record", "-q", "-o", record, "-e", "sched:sched_switch",
                                      "--"] + command + options)
            text = subprocess.check_output([perf, "script", "-i", record, "-F", "tid,time,event,trace"],
                                           universal_newlines=True, stderr=subprocess.DEVNULL)
            pairs = sched_handoffs(text, args.interval)
            if len(pairs) != len(sources):
                sys.exit("side_by_side.py: sched: %s ran %d pairs of threads that handed over, "
                         "not %d" % (" ".join(command), len(pairs), len(sources)))
            own = value(table, "median_slice_ms", threads=2)
            for source, h in zip(sources, pairs):
                rows.append([r, load, label, source,
                             "%.3f" % own if source != "interpreter_count" else "-",
                             h["handoffs"], "%.3f" % h["slice_ms"], "%.3f" % h["long_share"],
                             "%.3f" % h["back_ms"], "%.3f" % h["back_long_share"]])
                print("\t".join(str(v) for v in rows[-1]))
        print("round %d of %d done" % (r, args.rounds), file=sys.stderr)
    columns = ["round", "loadavg", "interpreter", "source", "own_slice_ms", "handoffs",
               "slice_ms", "long_share", "back_ms", "back_long_share"]
    summary = summary_rows(rows, [2, 3], 4)
    for row in summary:
        print("\t".join(row))
    if args.data:
        write_data(args.data, [
            "interpreters: " + " ".join("%s (%s)" % pl for pl in zip(args.interpreter, labels)),
            "each round, for each interpreter: perf record -e sched:sched_switch of its switches "
            "%s (a counting run, then a timed run: interpreter_count, interpreter_timed); last, "
            "the same of %s --gil new with the same options (sim)"
            % (" ".join(options), os.path.join(args.simulation, "gil_switches")),
            "from the kernel's record, per pair of threads that ran: a hand-off is a switch from "
            "one to the other that leaves the first runnable (preempted, not asleep) and the "
            "other on the core for more than 1 ms (it holds the GIL now)",
            "own_slice_ms: the program's own median slice (the interpreter's timed run's, by "
            "Python's clock; gil_switches's by its C clock; - for the counting run)",
            "handoffs: hand-offs in the record; slice_ms: the median time from one to the next; "
            "long_share: the share of slices longer than two switch intervals",
            "back_ms: the median time the thread a hand-off took the GIL from, left runnable, "
            "waited for the core; back_long_share: the share of those waits longer than one "
            "switch interval (it missed the first scheduler tick after the hand-off)",
            "then, per interpreter and source, the median, min and max over the rounds",
        ] + ["simulation " + line for line in BUILD], columns, rows + summary)


def sched_handoffs(text, interval):
    """From `perf script -F tid,time,event,trace` of sched_switch: for each
    pair of threads that handed the core to each other (in the order they
    began), handoffs, slice_ms, long_share, back_ms, back_long_share (see
    run_sched). A hand-off: a switch from one of the pair to the other that
    leaves the first runnable and the second on the core for over 1 ms."""
    switch = re.compile(r"^\s*\d+\s+([\d.]+):\s+sched:sched_switch:.*prev_pid=(\d+) .*"
                        r"prev_state=(\S+) ==> next_comm=\S+ next_pid=(\d+)", re.M)
    events = [(float(t), int(a), state, int(b)) for t, a, state, b in switch.findall(text)]
    direct = collections.Counter((min(a, b), max(a, b)) for _, a, _, b in events if a and b)
    if not direct:
        return []
    most = max(direct.values())
    pairs = sorted(pair for pair, n in direct.items() if n >= 0.2 * most and n >= 10)
    out = []
    for pair in pairs:
        mine = [e for e in events if e[1] in pair or e[3] in pair]
        handoffs, back = [], []
        for k, (t, a, state, b) in enumerate(mine):
            if not (a in pair and b in pair and state.startswith("R")):
                continue
            if k + 1 >= len(mine) or mine[k + 1][0] - t <= 1e-3:
                continue
            handoffs.append(t)
            again = next((e[0] for e in mine[k + 1:] if e[3] == a), None)
            if again is not None:
                back.append(again - t)
        if len(handoffs) < 2 or not back:
            sys.exit("side_by_side.py: sched: threads %d and %d handed over %d times: too few"
                     % (pair + (len(handoffs),)))
        slices = [b - a for a, b in zip(handoffs, handoffs[1:])]
        out.append({"handoffs": len(handoffs), "slice_ms": median(slices) * 1e3,
                    "long_share": sum(x > 2 * interval for x in slices) / float(len(slices)),
                    "back_ms": median(back) * 1e3,
                    "back_long_share": sum(x > interval for x in back) / float(len(back))})
    return out


# ---- single: what the GIL buys one thread -------------------------------------------------------


def run_single(args, scratch):
    cpu = ["cpu", "--workers", "1", "--processes", "0", "--work", str(args.work),
           "--repeat", str(args.repeat), "--cpus", "1"]
    builds = [("gil", args.gil_build), ("nogil", args.free_threaded)]
    rows, labels = [], {}
    for r in range(1, args.rounds + 1):
        row = [r, "%.2f" % os.getloadavg()[0]]
        times = {}
        for kind, python in (builds if r % 2 else builds[::-1]):   # swap the order every round
            table = run_tsv(scratch, [python, COMPANION] + cpu)
            times[kind] = value(table, "median_s", mode="serial")
            labels[kind] = table[0]["interpreter"]
        sim = run_tsv(scratch, [os.path.join(args.simulation, "gil_cpu"), "--gil", "new,none",
                                "--workers", "1"] + cpu[3:])
        sim_new = value(sim, "median_s", mode="threads", gil="new")
        sim_none = value(sim, "median_s", mode="threads", gil="none")
        row += ["%.4f" % times["gil"], "%.4f" % times["nogil"], "%.3f" % (times["nogil"] / times["gil"]),
                "%.4f" % sim_new, "%.4f" % sim_none, "%.3f" % (sim_none / sim_new)]
        print("\t".join(str(v) for v in row))
        rows.append(row)
    columns = ["run", "load_1min", "gil_s", "nogil_s", "nogil_over_gil", "sim_new_s", "sim_none_s",
               "sim_none_over_new"]
    for row in summary_rows(rows, [], 1):
        rows.append(row)
        print("\t".join(row))
    if args.data:
        write_data(args.data, [
            "gil build: %s (%s), nogil build: %s (%s)" % (args.gil_build, labels["gil"],
                                                           args.free_threaded, labels["nogil"]),
            "work: countdown from %d in the main thread, one core, median of %d repeats per round"
            % (args.work, args.repeat),
            "rounds: %d, the order of the two builds swapped every round" % args.rounds,
            "simulation: %s --gil new,none --workers 1 (one simulated thread, %d units)"
            % (os.path.join(args.simulation, "gil_cpu"), args.work),
            "the last three rows: median, min and max of each column over the rounds"],
            columns, rows)


# ---- running the programs ----------------------------------------------------------------------


BUILD = []   # the simulation's compiler and flags, from the first of its data files


def run_tsv(scratch, command, cpu=None, trace=None):
    """Run a program with --data, quietly (on core `cpu` only, if given; under
    the tracer, writing its trace, if `trace` is (tracer, trace file)); its
    rows as dicts."""
    return run_tsv_counting(scratch, command, cpu, trace)[0]


def run_tsv_counting(scratch, command, cpu=None, trace=None):
    """run_tsv, and the context switches the child made, voluntary and
    involuntary (its getrusage, through wait4)."""
    data = os.path.join(scratch, "out.tsv")

    def setup():   # in the child: a process group of its own, stop signals as they were, its core
        os.setpgid(0, 0)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
        if cpu is not None:
            os.sched_setaffinity(0, [cpu])
    env = None
    if trace is not None:
        if os.path.exists(trace[1]):
            os.remove(trace[1])   # a trace left from the run before must not be read
        env = dict(os.environ, LD_PRELOAD=trace[0], GIL_TRACE=trace[1])
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)   # until the child is on the list
    try:
        child = subprocess.Popen(command + ["--data", data], stdout=subprocess.DEVNULL,
                                 preexec_fn=setup, env=env)
        CHILD.append(child)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)
    _, wait_status, usage = os.wait4(child.pid, 0)
    CHILD.remove(child)
    status = os.waitstatus_to_exitcode(wait_status)
    if status != 0:
        sys.exit("side_by_side.py: %s failed with exit status %d" % (" ".join(command), status))
    with open(data) as f:
        lines = f.read().splitlines()
    if not BUILD:
        BUILD.extend(line[2:] for line in lines if line.startswith(("# compiler:", "# cflags:")))
    table = [line.split("\t") for line in lines if not line.startswith("#")]
    return [dict(zip(table[0], values)) for values in table[1:]], usage.ru_nvcsw + usage.ru_nivcsw


def trace_ops(path, configurations, ops):
    """What gil_trace.so saw of the I/O thread, call by call, in a convoy run
    of `configurations` one after the other, `ops` calls each: a list per
    configuration, one dict per call after its first. The I/O thread is the
    one that sleeps (a sleep retried right away, after a signal, is one
    call); the GIL's condition variable the one waited on with a timeout
    most. For a call, before it: hold_us, from the end of the I/O thread's
    last wait for the GIL to its signal letting it go for this call (None:
    it took the GIL without waiting); the thread last made to let go before
    that take: return_us, from the take to that thread's next wait for the
    GIL, and back_first, whether that was before the I/O thread let go (both
    None where no other thread let go; return_us None where it did not wait
    again before the next call). After it: waited_ms, from the call to the
    end of the wait that gave the I/O thread the GIL back (None: it did not
    wait)."""
    if not os.path.exists(path):
        sys.exit("side_by_side.py: no trace in %s: was gil_trace.so loaded?" % path)
    with open(path) as f:
        lines = [line.split("\t") for line in f.read().splitlines() if not line.startswith("#")]
    # In time order; records of equal times keep the order they were taken in.
    events = sorted(((int(ns), tid, event, obj) for ns, tid, event, obj in lines[1:]),
                    key=lambda e: e[0])
    waits = collections.Counter(e[3] for e in events if e[2] == "timedwait_begin")
    cond = waits.most_common(1)[0][0] if waits else None
    sleepers = collections.Counter(e[1] for e in events if e[2] == "sleep")
    if not sleepers:
        sys.exit("side_by_side.py: the trace %s has no sleep" % path)
    io = sleepers.most_common(1)[0][0]
    kept, last = [], None
    for e in events:
        if e[3] == cond or (e[1] == io and e[2] == "sleep"):
            if e[1] == io and e[2] == "sleep" and last == "sleep":
                continue   # the same call's sleep, retried after a signal
            if e[1] == io:
                last = e[2]
            kept.append(e)
    events = kept
    sleeps = [i for i, e in enumerate(events) if e[1] == io and e[2] == "sleep"] + [len(events)]
    if len(sleeps) - 1 != configurations * ops:
        sys.exit("side_by_side.py: the trace %s has %d calls of the I/O thread, not %d"
                 % (path, len(sleeps) - 1, configurations * ops))
    ends = ("timedwait_ok", "timedwait_timeout")
    result = []
    for c in range(configurations):
        calls = []
        for k in range(c * ops + 1, (c + 1) * ops):
            before = events[sleeps[k - 1] + 1:sleeps[k]]
            after = events[sleeps[k] + 1:sleeps[k + 1]]
            call = {"hold_us": None, "waited_ms": None, "return_us": None, "back_first": None}
            drops = [e[0] for e in before if e[1] == io and e[2] == "signal"]
            takes = [e[0] for e in before if e[1] == io and e[2] in ends]
            if drops and takes and takes[-1] < drops[-1]:
                took, drop = takes[-1], drops[-1]
                call["hold_us"] = (drop - took) / 1e3
                forced = [e for e in before if e[1] != io and e[2] == "signal" and e[0] < took]
                if forced:
                    who = forced[-1][1]
                    back = next((e[0] for e in before + after
                                 if e[1] == who and e[2] == "timedwait_begin" and e[0] > took), None)
                    call["back_first"] = back is not None and back < drop
                    if back is not None:
                        call["return_us"] = (back - took) / 1e3
            # The wait that gave it the GIL back: the last before it first let go again.
            first_drop = next((e[0] for e in after if e[1] == io and e[2] == "signal"), None)
            woke = [e[0] for e in after if e[1] == io and e[2] in ends
                    and (first_drop is None or e[0] < first_drop)]
            if woke:
                call["waited_ms"] = (woke[-1] - events[sleeps[k]][0]) / 1e6
            calls.append(call)
        result.append(calls)
    return result


def us(x):
    """A time in us to three places; "-" for None (a run too short to show it)."""
    return "-" if x is None else "%.3f" % x


def trace_holds(path):
    """What gil_trace.so saw of the old GIL (a semaphore, the one other threads
    than the main thread posted most) in a run of CPU-bound threads, while
    all of them ran (the threads of the last run: those, not the main thread,
    that ran at the same time as the last to end; the window where every one
    of them had begun and none had ended). A hold: from a thread's
    sem_wait returning to its next sem_post. Returns holds, handoffs (holds
    by another thread than the hold before), first_us and again_us (the
    median hold after a hand-off and after none) and retake_us (the median
    time from a sem_post to the same thread's sem_wait returning, where no
    other thread held the lock in between) and slice_us (the median time from
    one hand-off to the next); each None where the run has none to take the
    median of (a run that handed over once or never)."""
    if not os.path.exists(path):
        sys.exit("side_by_side.py: no trace in %s: was gil_trace.so loaded?" % path)
    with open(path) as f:
        text = f.read()
    top = re.match(r"(?:# [^\n]*\n)*", text).group(0).splitlines()   # the comment lines first
    head = dict(line[2:].split(": ", 1) for line in top if ": " in line)
    if int(head.get("dropped", "0")) > 0:
        sys.exit("side_by_side.py: the trace %s is full (%s records dropped): a shorter --duration"
                 % (path, head["dropped"]))
    main_tid = top[0].rsplit(" ", 1)[1]   # "# gil_trace: ... of pid N": the main thread's tid
    # The semaphore calls of every thread but the main one (which times the
    # unit), read by one regular expression: a trace holds millions of lines.
    sem = re.compile(r"^(\d+)\t(?!%s\t)(\d+)\t(sem_\w+)\t(\S+)$" % main_tid, re.M)
    events = sorted(((int(ns), tid, event, obj) for ns, tid, event, obj in sem.findall(text)),
                    key=lambda e: e[0])
    posts = collections.Counter(e[3] for e in events if e[2] == "sem_post")
    if not posts:
        sys.exit("side_by_side.py: the trace %s has no sem_post" % path)
    lock = posts.most_common(1)[0][0]
    events = [e for e in events if e[3] == lock]
    life = {}
    for ns, tid, _, _ in events:
        life[tid] = (life.get(tid, (ns, ns))[0], ns)
    def together(a, b):
        return a != b and life[a][0] < life[b][1] and life[b][0] < life[a][1]
    workers = [t for t in life if any(together(t, o) for o in life)]
    if workers:   # the last run's: the threads that ran beside the last to end (itself too)
        last = max(workers, key=lambda t: life[t][1])
        workers = [t for t in workers if t == last or together(t, last)]
    if len(workers) < 2:
        sys.exit("side_by_side.py: the trace %s shows no two threads running at once" % path)
    begin, end = max(life[t][0] for t in workers), min(life[t][1] for t in workers)
    holds, taken = [], {}
    for ns, tid, event, _ in events:
        if tid not in workers:
            continue
        if event == "sem_wait_end":
            taken[tid] = ns
        elif event == "sem_post" and tid in taken:
            start = taken.pop(tid)
            if begin <= start and ns <= end:
                holds.append((start, ns, tid))
    holds.sort()
    first, again, retake, won = [], [], [], []
    for (_, end0, tid0), (start1, end1, tid1) in zip(holds, holds[1:]):
        if tid1 != tid0:
            first.append((end1 - start1) / 1e3)
            won.append(start1)
        else:
            again.append((end1 - start1) / 1e3)
            retake.append((start1 - end0) / 1e3)
    # A slice, as gil_switches and gil_cpython.py count it: from one hand-off to the next.
    # Under 2.7 on several cores a short run can hand over a few times only (the
    # holder takes the lock straight back: the race): what a run lacks is None.
    slices = [(b - a) / 1e3 for a, b in zip(won, won[1:])]

    def some(values):
        return median(values) if values else None
    return {"holds": len(holds) - 1, "handoffs": len(first), "first_us": some(first),
            "again_us": some(again), "retake_us": some(retake), "slice_us": some(slices)}


def core_turns(table):
    """The rows of a gil_cpython.py turn table that time a core (not its summary rows)."""
    return [row for row in table if row["repeat"].isdigit()]


def threads_gil(table):
    """The GIL the interpreter reported on the threads' rows of its cpu table."""
    return [row for row in table if row["mode"] == "threads"][0]["gil"]


def about(python):
    """What the interpreter says it is: its label (2.7.18, 3.13.5t) and its GIL."""
    label, gil = subprocess.check_output([python, COMPANION, "about"],
                                         universal_newlines=True).split()
    return label, gil


def summary_rows(rows, keys, first, order=None, at_least=0):
    """The median, min and max rows (reduced) of each group of `rows` alike in
    the columns `keys`, the groups in the order first met (or sorted by
    `order`, on the keys' values): the first column says which, the keys
    keep their values, the others before `first` are "-"."""
    groups = {}
    for row in rows:
        groups.setdefault(tuple(str(row[k]) for k in keys), []).append([str(v) for v in row])
    out = []
    for key in (sorted(groups, key=order) if order else list(groups)):
        for name, values in reduced(groups[key], first, at_least):
            prefix = ["-"] * first
            prefix[0] = name
            for k, v in zip(keys, key):
                prefix[k] = v
            out.append(prefix + values)
    return out


def reduced(rows, first, at_least=0):
    """Median, min and max of each column from `first` on, with as many
    decimals as the first row gives it (at least `at_least`): (name,
    formatted values) three times. A column's "-" (nothing measured) is
    left out; "-" where all are."""
    for name, reduce in (("median", median), ("min", min), ("max", max)):
        values = []
        for i in range(first, len(rows[0])):
            known = [row[i] for row in rows if row[i] != "-"]
            places = max(at_least, len(known[0].partition(".")[2])) if known else 0
            values.append("%.*f" % (places, reduce([float(v) for v in known])) if known else "-")
        yield name, values


def value(table, column, **where):
    """`column` of the one row whose columns have the values in `where`."""
    rows = [row for row in table if all(row[k] == str(v) for k, v in where.items())]
    if len(rows) != 1:
        sys.exit("side_by_side.py: %d rows where %s" % (len(rows), where))
    return float(rows[0][column])


def fmt(x):
    return "%.4g" % x if abs(x) < 100 else "%.0f" % x


def provenance_lines(args, gils):
    """Fidelity's provenance lines, for a run whose interpreters had `gils`."""
    lines = ["rounds: %d; in each, every interpreter on every --cpus, each experiment under it "
             "followed by the simulation's" % args.rounds,
             "simulation unit: " + ("its own (--own-unit)" if args.own_unit else
                                    "--unit the time a turn of the countdown takes the interpreter "
                                    "on the cores of the run, the mean of each core timed before "
                                    "and after it: gil_cpython.py turn around the cpu run for "
                                    "gil_cpu and gil_convoy, the switches run's turn_ns (each "
                                    "thread count) for gil_switches; under the old GIL with "
                                    "--interpret (each unit a turn of the countdown interpreted "
                                    "as 2.7 does)"),
             "interpreters: " + " ".join(args.interpreter),
             "simulation: %s (gil_cpu, gil_switches, gil_convoy)" % args.simulation,
             "speedup, over_one_thread: cpu --workers 1,%s --processes 0 --work %d --repeat %d"
             % (",".join(str(n) for n in args.threads), args.work, args.repeat),
             "handoffs_per_s, median_slice_ms: switches --threads %s --intervals 5ms --duration %gs "
             "--repeat 1 (the old GIL has no interval; the interpreter's hand-offs from its "
             "counting run, its slices from its timed run%s)"
             % (",".join(str(n) for n in args.threads), args.duration,
                "" if "old" not in gils else
                "; under the old GIL --count-only, and the slices of both, from one hand-off "
                "to the next, read at the lock by %s in a second run of each, 2.7's switches "
                "--count-only and gil_switches with the same unit" % args.tracer_shown),
             "convoy_op_ms: convoy --cpu-threads %s --intervals 5ms --ops %d, the simulation's "
             "gil_convoy --cpu-threads N for each N%s"
             % (",".join(str(n) for n in args.convoy_threads), args.ops,
                "" if args.own_unit else "; the new GIL's interpreter run under %s, and the "
                "simulation beside CPU-bound threads given --hold, the median hold of the I/O "
                "thread in that trace at that count (the rounds file's unit: UNIT/holdHOLD); "
                "otherwise --between the interpreter's between_us without CPU-bound threads "
                "(UNIT/BETWEEN)" % args.tracer_shown)]
    return lines + ["simulation " + line for line in BUILD]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="experiment")
    sub.required = True

    def directory(text):
        if not all(os.access(os.path.join(text, p), os.X_OK)
                   for p in ("gil_cpu", "gil_switches", "gil_convoy")):
            raise argparse.ArgumentTypeError("'%s' does not hold gil_cpu, gil_switches and gil_convoy" % text)
        return text

    def interpreter(text):
        path = shutil.which(text)
        if path is None:
            raise argparse.ArgumentTypeError("'%s' is not an interpreter found here" % text)
        return path

    fi = sub.add_parser("fidelity", help="each simulated GIL against its interpreter")
    fi.add_argument("--simulation", type=directory, required=True,
                    help="the folder of gil_cpu, gil_switches and gil_convoy")
    fi.add_argument("--interpreter", type=interpreter, action="append", required=True,
                    help="an interpreter to hold its simulated mode against (repeat the option)")
    fi.add_argument("--rounds", type=positive, default=5)
    fi.add_argument("--cpus", type=int_list(1, cores()), default=sorted({cores(), 1}, reverse=True))
    fi.add_argument("--threads", type=int_list(1, 64), default=[2, 4])
    fi.add_argument("--convoy-threads", type=int_list(0, 16), default=[0, 1, 2])
    fi.add_argument("--work", type=positive, default=10000000)
    fi.add_argument("--repeat", type=positive, default=5)
    fi.add_argument("--duration", type=duration, default=1.0)
    fi.add_argument("--ops", type=positive, default=40)
    fi.add_argument("--data", help="the summary: median, min and max of every ratio")
    fi.add_argument("--rounds-data", help="every round's figures")
    fi.add_argument("--own-unit", action="store_true",
                    help="run the simulation with its own unit, not the interpreter's turn time")

    ra = sub.add_parser("race", help="the old GIL's race on several cores, run by run")
    ra.add_argument("--simulation", type=directory, required=True)
    ra.add_argument("--interpreter", type=interpreter, required=True,
                    help="an interpreter with the old GIL (CPython 2.7)")
    ra.add_argument("--runs", type=positive, default=12)
    ra.add_argument("--threads", type=int_list(2, 64), default=[2, 4])
    ra.add_argument("--duration", type=duration, default=0.5)
    ra.add_argument("--data")

    co = sub.add_parser("cores", help="each core's speed, for the interpreters and the simulation")
    co.add_argument("--simulation", type=directory, required=True)
    co.add_argument("--interpreter", type=interpreter, action="append", required=True)
    co.add_argument("--rounds", type=positive, default=10)
    co.add_argument("--work", type=positive, default=2000000,
                    help="the simulation's units on each core (default 2000000)")
    co.add_argument("--data")

    ho = sub.add_parser("hold", help="how long the I/O thread holds the GIL between its calls")
    ho.add_argument("--simulation", type=directory, required=True)
    ho.add_argument("--interpreter", type=interpreter, action="append", required=True,
                    help="an interpreter with the new GIL (repeat the option)")
    ho.add_argument("--rounds", type=positive, default=5)
    ho.add_argument("--cpu-threads", type=int_range(1, 16), default=2,
                    help="CPU-bound threads beside the I/O thread (default 2)")
    ho.add_argument("--cpus", type=int_range(1, cores()), default=cores(),
                    help="run on this many cores (default: all allowed)")
    ho.add_argument("--ops", type=int_range(2, 100000), default=40,
                    help="calls per run (default 40)")
    ho.add_argument("--data")

    ar = sub.add_parser("arrival", help="the old GIL's first hold after winning the lock, traced")
    ar.add_argument("--simulation", type=directory, required=True)
    ar.add_argument("--interpreter", type=interpreter, required=True,
                    help="an interpreter with the old GIL (CPython 2.7)")
    ar.add_argument("--rounds", type=positive, default=5)
    ar.add_argument("--threads", type=int_list(2, 16), default=[2, 4])
    ar.add_argument("--duration", type=duration, default=0.2,
                    help="each run's length (default 200ms)")
    ar.add_argument("--data")

    sc = sub.add_parser("sched", help="the new GIL's slice on one core, in the scheduler's record")
    sc.add_argument("--simulation", type=directory, required=True)
    sc.add_argument("--interpreter", type=interpreter, action="append", required=True,
                    help="an interpreter with the new GIL (repeat the option)")
    sc.add_argument("--rounds", type=positive, default=5)
    sc.add_argument("--interval", type=duration, default=0.005,
                    help="the switch interval (default 5ms)")
    sc.add_argument("--duration", type=duration, default=1.0,
                    help="each run's length (default 1s)")
    sc.add_argument("--data")

    si = sub.add_parser("single", help="one thread under a GIL build and a free-threaded build")
    si.add_argument("--simulation", type=directory, required=True)
    si.add_argument("--gil-build", type=interpreter, required=True)
    si.add_argument("--free-threaded", type=interpreter, required=True)
    si.add_argument("--rounds", type=positive, default=5)
    si.add_argument("--work", type=positive, default=20000000)
    si.add_argument("--repeat", type=positive, default=3)
    si.add_argument("--data")
    args = parser.parse_args()
    if args.experiment in ("fidelity", "hold", "arrival"):
        # The tracer is built beside the simulation (make build-chapter03).
        args.tracer_shown = os.path.join(args.simulation, "gil_trace.so")
        args.tracer = os.path.abspath(args.tracer_shown)
        if not os.path.isfile(args.tracer):
            parser.error("--simulation: '%s' has no gil_trace.so (make build-chapter03 builds it)"
                         % args.simulation)
    return args


if __name__ == "__main__":
    main()
