#!/usr/bin/env python3
"""pool_overhead.py - what Python's concurrent.futures pools cost per task.

The same measurement as overhead.c, in CPython: tasks that do nothing (take
a number, return it doubled) through ThreadPoolExecutor and
ProcessPoolExecutor, with map at several chunk sizes and with submit +
as_completed. The pools are started and warmed up before the clock starts.

  python3 pool_overhead.py --tasks 20000 --chunks 1,2,5,10,50,100 --data py.tsv

Note: ThreadPoolExecutor.map accepts chunksize and ignores it; only the
process pool sends chunks. The data file has the columns of overhead.c's,
with pool py-threads and py-processes.
"""

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import int_list, positive, write_data  # noqa: E402


def pool_list(text):
    pools = text.split(",")
    for p in pools:
        if p not in ("threads", "processes"):
            raise argparse.ArgumentTypeError(f"'{p}' is not a pool (threads, processes)")
    return pools


def double_it(x):
    return 2 * x


def per_task_us(pool, chunk, tasks):
    """One timed run: map with `chunk`, or submit when chunk is None."""
    inputs = range(tasks)
    start = time.perf_counter()
    if chunk is None:
        futures = [pool.submit(double_it, x) for x in inputs]
        results = [f.result() for f in as_completed(futures)]  # in completion order
        ok = sorted(results) == [2 * x for x in inputs]
    else:
        ok = list(pool.map(double_it, inputs, chunksize=chunk)) == [2 * x for x in inputs]
    elapsed = time.perf_counter() - start
    if not ok:
        sys.exit("pool_overhead.py: wrong results")
    return elapsed / tasks * 1e6


def startup_us(executor, workers):
    times = []
    for _ in range(5):
        start = time.perf_counter()
        with executor(max_workers=workers) as pool:
            pool.submit(double_it, 1).result()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pools", type=pool_list, default=["threads", "processes"])
    parser.add_argument("--chunks", type=int_list(1, 100000), default=[1, 2, 5, 10, 50, 100])
    parser.add_argument("--workers", type=positive, default=os.cpu_count())
    parser.add_argument("--tasks", type=positive, default=20000)
    parser.add_argument("--repeat", type=positive, default=5)
    parser.add_argument("--data")
    args = parser.parse_args()

    executors = {"threads": ThreadPoolExecutor, "processes": ProcessPoolExecutor}
    rows, comments = [], [f"tasks: {args.tasks}", f"workers: {args.workers}"]
    print(f"{args.tasks} empty tasks, {args.workers} workers, {args.repeat} repeats")
    print(f"{'pool':<13}{'method':<8}{'chunk_size':>10}{'per_task_us':>13}{'min_us':>10}{'max_us':>10}")
    for kind in args.pools:
        runs = [(c, "map") for c in args.chunks] + [(None, "submit")]
        times = {r: [] for r in runs}
        with executors[kind](max_workers=args.workers) as pool:
            list(pool.map(double_it, range(4 * args.workers)))  # start every worker
            for _ in range(args.repeat):  # repeats interleaved, as in overhead.c
                for run in runs:
                    times[run].append(per_task_us(pool, run[0], args.tasks))
        for (chunk, method) in runs:
            t = times[(chunk, method)]
            name = "py-" + kind
            med = statistics.median(t)
            print(f"{name:<13}{method:<8}{chunk or 1:>10}{med:>13.3f}{min(t):>10.3f}{max(t):>10.3f}")
            rows.append([name, method, chunk or 1, args.repeat, f"{med:.4f}", f"{min(t):.4f}",
                         f"{max(t):.4f}", "-"])
        us = startup_us(executors[kind], args.workers)
        comments.append(f"startup_us py-{kind}: {us:.0f}")
        print(f"starting and stopping a pool of {args.workers} {kind} (with one task): {us:.0f} us")
    if args.data:
        write_data(args.data, comments, ["pool", "method", "chunk_size", "repeats", "per_task_us",
                                         "min_us", "max_us", "bytes_per_task"], rows)


if __name__ == "__main__":
    main()
