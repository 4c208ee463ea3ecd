"""workbook.py - what the workbook's Python companions share: argument
parsing with the same strict rules as common/args.c, data files with the
same provenance lines as common/datafile.c (written atomically), what the
running interpreter is, and a few things Python 2.7 lacks.

A companion script finds it with:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
    from workbook import int_list, duration, positive, write_data

It runs under Python 2.7 as under 3.x (chapter 3 runs its companion under
CPython 2.7.18 to see the old GIL), so it uses nothing newer than both:
no f-strings, no os.replace, no os.cpu_count, no statistics module.
"""

from __future__ import division, print_function

import argparse
import multiprocessing
import os
import platform
import sys
import tempfile
import time

try:
    from shlex import quote as shell_quote     # Python 3.3 and later
except ImportError:                            # Python 2.7
    from pipes import quote as shell_quote

# The clock the companions time with: monotonic where there is one (3.3+);
# Python 2.7 has only time.time() (gettimeofday, microseconds).
clock = getattr(time, "perf_counter", time.time)

# ---- arguments: the same strict rules as common/args.c -----------------------

UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def int_range(low, high):
    def parse(text):
        if not text.isdigit():
            raise argparse.ArgumentTypeError("'%s' is not a whole number" % text)
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError("%d is out of range (%d to %d)" % (value, low, high))
        return value
    return parse


def int_list(low, high):
    one = int_range(low, high)
    return lambda text: [one(item) for item in text.split(",")]


def duration(text):
    for unit in ("ns", "us", "ms", "s"):
        if text.endswith(unit):
            number = text[: -len(unit)]
            try:
                seconds = float(number) * UNITS[unit]
            except ValueError:
                break
            if not number[:1].isdigit() or seconds <= 0:
                raise argparse.ArgumentTypeError("'%s' is out of range" % text)
            return seconds
    raise argparse.ArgumentTypeError("'%s' is not a duration (like 500us, 5ms or 2s)" % text)


def duration_list(text):
    return [duration(item) for item in text.split(",")]


def positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("'%s' is not a whole number of at least 1" % text)
    return int(text)


# ---- statistics (Python 2.7 has no statistics module) ------------------------------


def median(values):
    """The median of a non-empty sequence, as statistics.median computes it."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median of no values")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def mean(values):
    """The arithmetic mean of a non-empty sequence."""
    values = list(values)
    if not values:
        raise ValueError("mean of no values")
    return sum(values) / len(values)


def middle_mean(values):
    """The mean of the middle half of a non-empty sequence: the len // 4
    smallest and the len // 4 largest left out, as common/stats.c's
    middle_mean (the interquartile mean; below four values, the mean). For
    values in two clusters, where the median jumps from one to the other
    on a single value near half and half."""
    ordered = sorted(values)
    cut = len(ordered) // 4
    return mean(ordered[cut:len(ordered) - cut])


# ---- the interpreter: what it is, as it says itself ----------------------------------


def gil_kind():
    """'old' (no sys.setswitchinterval: CPython 2.x and 3.1, the tick-counting
    GIL), 'none' (a free-threaded build running without its GIL) or 'new'."""
    if not hasattr(sys, "setswitchinterval"):
        return "old"
    if hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled():
        return "none"
    return "new"


def interpreter_label():
    """The version, like 3.13.5, with a 't' for a free-threaded build (3.13.5t),
    whether or not its GIL was switched back on."""
    version = "%d.%d.%d" % sys.version_info[:3]
    import sysconfig                        # in 2.7 and 3.x alike
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        version += "t"
    return version


def cores():
    """The cores this process may run on (Linux), else all the machine has."""
    try:
        return len(allowed_cpus())
    except (IOError, OSError, IndexError):   # no /proc, or no such line in it
        return multiprocessing.cpu_count()


def parse_cpu_list(text):
    """'0-2,5' -> [0, 1, 2, 5], as /proc and taskset write them."""
    cpus = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        cpus += range(int(low), int(high or low) + 1)
    return cpus


def allowed_cpus():
    """The cores this process may run on, in order (its Cpus_allowed_list)."""
    with open("/proc/self/status") as f:
        return [parse_cpu_list(line.split(":", 1)[1].strip()) for line in f
                if line.startswith("Cpus_allowed_list:")][0]


def set_affinity(cpus):
    """Let the calling thread run on `cpus` only (and the threads and
    processes it starts after): Linux's sched_setaffinity with pid 0 is the
    calling thread's. Python 2.7 has no os.sched_setaffinity: ask the C
    library through ctypes."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cpus)
        return
    import ctypes
    import ctypes.util
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    mask = (ctypes.c_ulong * 16)()              # 1024 CPUs, as glibc's cpu_set_t
    bits = 8 * ctypes.sizeof(ctypes.c_ulong)
    for cpu in cpus:
        mask[cpu // bits] |= 1 << (cpu % bits)
    if libc.sched_setaffinity(0, ctypes.sizeof(mask), ctypes.byref(mask)) != 0:
        raise OSError(ctypes.get_errno(), "sched_setaffinity")


def confine_to_cpus(n):
    """Run this process (and the threads and processes it starts after) on
    its first n allowed cores, as common/cpus.c's confine_to_cpus does."""
    set_affinity(allowed_cpus()[:n])


# ---- data files with provenance ------------------------------------------------------


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except (IOError, OSError):
        pass
    return platform.machine()


def write_data(path, comments, columns, rows):
    """Write a TSV like common/datafile.c: provenance, header, rows, atomically."""
    u = os.uname()
    gil = {"old": "old GIL (check interval)", "new": "new GIL (switch interval)",
           "none": "no GIL (free-threaded)"}[gil_kind()]
    lines = [
        "# date: " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "# cpu: " + cpu_model(),
        "# cores: %d" % multiprocessing.cpu_count(),
        "# kernel: %s %s %s" % (u[0], u[2], u[4]),
        "# python: %s %s, %s" % (platform.python_implementation(), interpreter_label(), gil),
        "# loadavg: " + " ".join("%.2f" % x for x in os.getloadavg()),
        "# command: " + " ".join(shell_quote(a) for a in [sys.executable] + sys.argv),
    ]
    lines += ["# " + c for c in comments]
    lines.append("\t".join(columns))
    lines += ["\t".join(str(v) for v in row) for row in rows]
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp.", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)                # atomic on POSIX (os.replace is 3.3+)
    except BaseException:
        os.unlink(tmp)
        raise
