#!/usr/bin/env python3
"""case_study_asyncio.py - chapter 10's synthetic users in real CPython:
asyncio beside ThreadPoolExecutor, against the workbook's own local server.

Each user needs one call to the API (case_study --serve: the C server, with
the same latency, failures and slow answers as case_study's) and some CPU
work on the reply. The same careful client as case_study.c: a timeout on
each attempt, bounded retries after a doubling pause, a user whose every
attempt failed reported, never dropped. Three ways:

  threads        ThreadPoolExecutor(max_workers=8), blocking sockets
  asyncio        one thread: asyncio.open_connection, asyncio.wait_for for
                 the timeout, a Semaphore for the calls at once (100); the CPU
                 step in the loop
  asyncio-pool   the same, the CPU step handed to a ProcessPoolExecutor
                 (loop.run_in_executor), one process per core

  python3 case_study_asyncio.py --case-study build/chapter10/case_study --users 100,1000
  python3 case_study_asyncio.py --case-study build/chapter10/case_study --quick --data py.tsv

It prints one row per way and number of users: wall time (median, min, max
over the repeats), CPU time (with the children's), this process's peak
memory, the threads and processes the way created, the users that failed,
the calls made, the most calls waiting at once, stall_ms (the longest the
loop was late to wake a task that slept 1 ms: how long nobody else was
served), and `differ`: the users that came out differently from the first
way's (threads' when they run). What to expect: asyncio waits for many
calls in one thread, but its own work for each call is Python, done one
call at a time: with thousands started at once, the loop is still starting
the last ones when the first ones' timeouts pass, so the Semaphore keeps
the calls at once to --in-flight (100). While a CPU step runs in the loop
nobody else's answer is read, and a
timeout that the loop notices late fires on an answer that had come in
time (asyncio judges by when the loop looks; case_study.c reads the
kernel's receive time). Compare with case_study.c's event-loop and
event-loop-pool rows.
"""

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import cores, interpreter_label, int_list, median, write_data  # noqa: E402

METHODS = ("threads", "asyncio", "asyncio-pool")


# ---- the user: the call and the CPU step, as case_study.c's -------------------------

def request(uid, attempt):
    return ("GET /item/%d?attempt=%d HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" % (uid, attempt)).encode()


def parse(answer):
    """(status, value) of an HTTP answer of the server; value None unless 200."""
    head, _, body = answer.decode("ascii", "replace").partition("\r\n\r\n")
    status = int(head.split()[1])
    if status != 200:
        return status, None
    return status, int(body.split('"value": ')[1].split("}")[0])


def long_factorize(n):
    largest = 1
    for i in range(2, n):
        if n % i == 0:
            largest = i
    return largest


def post_process(cpu_base, user):
    """The CPU step on the reply: (id, value, score, attempts, ok)."""
    uid, value, _, attempts, ok = user
    return (uid, value, long_factorize(cpu_base + value % 1000) if ok else 0, attempts, ok)


def fetch_blocking(cfg, port, uid):
    """threads: a blocking socket, the timeout on each step (connect, send, recv)."""
    for attempt in range(cfg.retries + 1):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=cfg.timeout) as s:
                s.sendall(request(uid, attempt))
                chunks = []
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    chunks.append(chunk)
            status, value = parse(b"".join(chunks))
            if status == 200:
                return (uid, value >> 1, 0, attempt + 1, 1)
        except OSError:                         # timed out (socket.timeout), refused
            pass
        if attempt < cfg.retries:
            time.sleep(cfg.backoff * 2 ** attempt)
    return (uid, 0, 0, cfg.retries + 1, 0)      # reported, not dropped


# snippet-begin: asyncio-fetch
async def fetch_once(port, uid, attempt):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request(uid, attempt))
        await writer.drain()
        return parse(await reader.read())       # until the server closes
    finally:
        writer.close()


async def fetch(cfg, port, uid):
    """asyncio: the same careful client; wait_for is the timeout."""
    for attempt in range(cfg.retries + 1):
        try:
            status, value = await asyncio.wait_for(fetch_once(port, uid, attempt), cfg.timeout)
            if status == 200:
                return (uid, value >> 1, 0, attempt + 1, 1)
        except (asyncio.TimeoutError, OSError):
            pass
        if attempt < cfg.retries:
            await asyncio.sleep(cfg.backoff * 2 ** attempt)
    return (uid, 0, 0, cfg.retries + 1, 0)
# snippet-end: asyncio-fetch


# ---- the ways ----------------------------------------------------------------------

def run_threads(cfg, port, n):
    def whole_user(uid):
        return post_process(cfg.cpu, fetch_blocking(cfg, port, uid))
    with ThreadPoolExecutor(max_workers=cfg.workers) as pool:
        users = list(pool.map(whole_user, range(n)))
    return users, {"threads": cfg.workers, "processes": 0, "in_flight": min(cfg.workers, n), "stall_ms": "-"}


# snippet-begin: asyncio-user
async def user_in_loop(cfg, port, uid, limit, counts, pool):
    async with limit:                           # at most cfg.in_flight calls at once
        counts["waiting"] += 1
        counts["most"] = max(counts["most"], counts["waiting"])
        try:
            user = await fetch(cfg, port, uid)
        finally:
            counts["waiting"] -= 1
    if pool is None:
        return post_process(cfg.cpu, user)      # in the loop: everyone else waits
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(pool, post_process, cfg.cpu, user)
# snippet-end: asyncio-user


async def heartbeat(stop, lateness):
    """Sleep 1 ms again and again; note the most the loop woke us late."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.001)
        lateness[0] = max(lateness[0], time.perf_counter() - start - 0.001)


async def all_users(cfg, port, n, pool):
    limit = asyncio.Semaphore(cfg.in_flight)
    counts = {"waiting": 0, "most": 0}
    stop, lateness = asyncio.Event(), [0.0]
    beat = asyncio.ensure_future(heartbeat(stop, lateness))
    users = await asyncio.gather(*(user_in_loop(cfg, port, uid, limit, counts, pool) for uid in range(n)))
    stop.set()
    await beat
    return list(users), counts["most"], lateness[0]


def run_asyncio(cfg, port, n, with_pool):
    pool = ProcessPoolExecutor(max_workers=cores()) if with_pool else None
    try:
        if pool is not None:
            list(pool.map(abs, range(cores())))     # start the workers before the clock
        users, most, late = asyncio.run(all_users(cfg, port, n, pool))
    finally:
        if pool is not None:
            pool.shutdown()
    return users, {"threads": 0, "processes": cores() if with_pool else 0, "in_flight": most,
                   "stall_ms": "%.1f" % (late * 1000)}


def run_way(cfg, port, method, n):
    if method == "threads":
        return run_threads(cfg, port, n)
    return run_asyncio(cfg, port, n, method == "asyncio-pool")


# ---- measuring -----------------------------------------------------------------------

def peak_reset():
    with open("/proc/self/clear_refs", "w") as f:   # proc(5): VmHWM = VmRSS from now
        f.write("5")


def peak_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds():
    t = os.times()
    return t[0] + t[1] + t[2] + t[3]


def main():
    cfg = parse_args()
    label = interpreter_label()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        print("descriptors: soft limit raised from %d to %d (the hard limit)" % (soft, hard))
    else:
        print("descriptors: soft limit %d, already the hard limit" % hard)
    cfg.in_flight = min(cfg.in_flight, hard - 64)
    server = start_server(cfg)
    try:
        print("Python %s; API on port %d: %s; timeout %.0f ms, %d retries; %d workers, %d cores"
              % (label, server.port, server.api, cfg.timeout * 1000, cfg.retries, cfg.workers, cores()))
        rows = measure(cfg, server.port, label)
    finally:
        server.stdin.close()                    # the server ends at end-of-file
        server.wait()
    columns = ["interpreter", "method", "users", "repeats", "median_s", "min_s", "max_s", "cpu_s", "peak_mib",
               "processes", "threads", "failed", "calls", "in_flight", "stall_ms", "differ"]
    if cfg.data:
        write_data(cfg.data, ["api: %s" % server.api, "workers: %d" % cfg.workers,
                              "cpu_step: long_factorize of %d + (value mod 1000), in Python" % cfg.cpu], columns, rows)
    # Not an error: asyncio's timeouts run on the loop's clock, and a loop
    # that was busy notices them late; the rows say how often it mattered.
    differ = ["%s with %d users: %d" % (r[1], r[2], r[-1]) for r in rows if r[-1] != 0]
    if differ:
        print("users unlike the first way's (timeouts fired late by a busy loop): " + "; ".join(differ))
    else:
        print("every way made the same users")


def measure(cfg, port, label):
    print("%-12s %-13s %6s %9s %9s %9s %8s %9s %9s %7s %7s %7s %9s %8s %6s"
          % ("interpreter", "method", "users", "median_s", "min_s", "max_s", "cpu_s", "peak_mib", "processes",
             "threads", "failed", "calls", "in_flight", "stall_ms", "differ"))
    rows = []
    methods = sorted(cfg.methods, key=METHODS.index)    # threads first: the others are checked against it
    for n in cfg.users:
        expected = None
        for method in methods:
            walls, cpus, peaks = [], [], []
            for _ in range(cfg.repeat):
                peak_reset()
                start, start_cpu = time.perf_counter(), cpu_seconds()
                users, info = run_way(cfg, port, method, n)
                walls.append(time.perf_counter() - start)
                cpus.append(cpu_seconds() - start_cpu)
                peaks.append(peak_mib())
                if expected is None:
                    expected = users
            differ = sum(1 for a, b in zip(users, expected) if a != b)
            row = [label, method, n, cfg.repeat, "%.4f" % median(walls), "%.4f" % min(walls),
                   "%.4f" % max(walls), "%.4f" % median(cpus), "%.1f" % max(peaks), info["processes"],
                   info["threads"], sum(1 for u in users if not u[4]), sum(u[3] for u in users),
                   info["in_flight"], info["stall_ms"], differ]
            print("%-12s %-13s %6d %9s %9s %9s %8s %9s %9d %7d %7d %7d %9d %8s %6d" % tuple(row[:3] + row[4:]))
            sys.stdout.flush()
            rows.append(row)
    return rows


def start_server(cfg):
    """case_study --serve: the C server with the API's options; its port."""
    args = [cfg.case_study, "--serve", "--latency", cfg.latency, "--sd", cfg.sd, "--fail-rate",
            str(cfg.fail_rate), "--slow-rate", str(cfg.slow_rate), "--seed", str(cfg.seed)]
    server = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
    line = server.stdout.readline()
    if "port" not in line:
        server.stdin.close()
        server.wait()
        sys.exit("case_study_asyncio.py: %s --serve did not start (%r)" % (cfg.case_study, line))
    server.port = int(line.split("port")[1].split()[0])
    server.api = "latency %s sd %s, %d%% fail, %d%% slow (1 s)" % (cfg.latency, cfg.sd, cfg.fail_rate,
                                                                   cfg.slow_rate)
    return server


# ---- arguments ----------------------------------------------------------------------------

def method_list(text):
    methods = text.split(",")
    for m in methods:
        if m not in METHODS:
            raise argparse.ArgumentTypeError("'%s' is not a way (%s)" % (m, ", ".join(METHODS)))
    return methods


def milliseconds(low, high):
    def parse(text):
        if not text.endswith("ms") or not text[:-2].isdigit() or not low <= int(text[:-2]) <= high:
            raise argparse.ArgumentTypeError("'%s' is not %d to %d ms (like 20ms)" % (text, low, high))
        return text
    return parse


def parse_args():
    p = argparse.ArgumentParser(description="Synthetic users in CPython: asyncio beside ThreadPoolExecutor.")
    p.add_argument("--case-study", required=True, help="the built case_study (its --serve is the API)")
    p.add_argument("--users", type=int_list(1, 10000), default=None, help="users per run (default 100,1000)")
    p.add_argument("--methods", type=method_list, default=list(METHODS), help="threads, asyncio, asyncio-pool")
    p.add_argument("--workers", type=int_list(1, 256), default=[8], help="threads of the pool (default 8)")
    p.add_argument("--in-flight", type=int_list(1, 10000), default=[100],
                   help="asyncio: calls at once, the Semaphore (default 100)")
    p.add_argument("--latency", type=milliseconds(0, 10000), default="20ms")
    p.add_argument("--sd", type=milliseconds(0, 10000), default="10ms")
    p.add_argument("--fail-rate", type=int_list(0, 100), default=[5], help="percent of attempts answered 503")
    p.add_argument("--slow-rate", type=int_list(0, 100), default=[2], help="percent of attempts answered after 1 s")
    p.add_argument("--timeout", type=milliseconds(1, 60000), default="250ms")
    p.add_argument("--retries", type=int_list(0, 10), default=[3])
    p.add_argument("--cpu", type=int_list(1000, 10 ** 9), default=[20001],
                   help="CPU step: long_factorize of N + (value mod 1000) (default 20001, about 1 ms)")
    p.add_argument("--seed", type=int_list(0, 10 ** 12), default=[1])
    p.add_argument("--repeat", type=int_list(1, 1000), default=None, help="runs per point (default 3)")
    p.add_argument("--quick", action="store_true", help="users 20,100, repeat 1")
    p.add_argument("--data", help="write the rows here as TSV")
    cfg = p.parse_args()
    for name in ("workers", "in_flight", "fail_rate", "slow_rate", "retries", "cpu", "seed"):
        values = getattr(cfg, name)
        if len(values) != 1:
            p.error("--%s takes one value" % name.replace("_", "-"))
        setattr(cfg, name, values[0])
    if cfg.fail_rate + cfg.slow_rate > 100:
        p.error("--fail-rate %d and --slow-rate %d add up to more than 100" % (cfg.fail_rate, cfg.slow_rate))
    if cfg.users is None:
        cfg.users = [20, 100] if cfg.quick else [100, 1000]
    cfg.repeat = cfg.repeat[0] if cfg.repeat else (1 if cfg.quick else 3)
    cfg.timeout = int(cfg.timeout[:-2]) / 1000
    cfg.backoff = 0.010
    return cfg


if __name__ == "__main__":
    main()
