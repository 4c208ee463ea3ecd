"""workbook.py - what the workbook's Python companions share: argument
parsing with the same strict rules as common/args.c, and data files with the
same provenance lines as common/datafile.c, written atomically.

A companion script finds it with:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
    from workbook import int_list, duration, positive, write_data
"""

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time

# ---- arguments: the same strict rules as common/args.c -----------------------

UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def int_list(low, high):
    def parse(text):
        values = []
        for item in text.split(","):
            if not item.isdigit():
                raise argparse.ArgumentTypeError(f"'{item}' is not a whole number")
            value = int(item)
            if not low <= value <= high:
                raise argparse.ArgumentTypeError(f"{value} is out of range ({low} to {high})")
            values.append(value)
        return values
    return parse


def duration(text):
    for unit in ("ns", "us", "ms", "s"):
        if text.endswith(unit):
            number = text[: -len(unit)]
            try:
                seconds = float(number) * UNITS[unit]
            except ValueError:
                break
            if not number[:1].isdigit() or seconds <= 0:
                raise argparse.ArgumentTypeError(f"'{text}' is out of range")
            return seconds
    raise argparse.ArgumentTypeError(f"'{text}' is not a duration (like 500us, 5ms or 2s)")


def duration_list(text):
    return [duration(item) for item in text.split(",")]


def positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return int(text)


# ---- data files with provenance ------------------------------------------------------


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def write_data(path, comments, columns, rows):
    """Write a TSV like common/datafile.c: provenance, header, rows, atomically."""
    u = os.uname()
    gil = "enabled"
    if hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled():
        gil = "disabled (free-threaded)"
    lines = [
        "# date: " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "# cpu: " + cpu_model(),
        f"# cores: {os.cpu_count()}",
        f"# kernel: {u.sysname} {u.release} {u.machine}",
        f"# python: {platform.python_implementation()} {platform.python_version()}, GIL {gil}",
        "# loadavg: " + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "# command: " + " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv),
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
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
