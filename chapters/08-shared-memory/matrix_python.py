#!/usr/bin/env python3
"""matrix_python.py - shared_matrix's question in real CPython: pickle the matrix, share it, or use threads?

The source documents' demo 2 in pure Python (no numpy, so that it runs the
same under every interpreter the workbook finds, free-threaded builds
included): an M x M adjacency matrix of a random directed graph, one byte
per entry as numpy's uint8 would hold it, and for many pairs (i, j) the
number of hops from i to j, up to --hops, by repeated vector-matrix products.
A row of the matrix read as one big integer has bit 8v set when the row
points to v, so "the frontier times the matrix" is an OR of the rows of the
frontier's nodes, done by the interpreter's C code. Four ways:

  serial     one thread, the matrix where it is
  pickled    a ProcessPoolExecutor whose every task carries the matrix as an
             argument: pickled, sent through a pipe and unpickled per task
  shm        a ProcessPoolExecutor; the matrix is copied once into a
             multiprocessing.shared_memory block, each worker attaches to it
             when it starts (initializer), a task carries only its pairs
  threads    a ThreadPoolExecutor whose threads read the one matrix: no
             copies; in parallel only without a GIL (python3.13t)

  python3 matrix_python.py --quick
  python3.13t matrix_python.py --sizes 1000,2000 --methods serial,threads
  python3 matrix_python.py --methods pickled,shm --per-task 1 --data py.tsv

It prints one row per way and size: wall time (median, min and max over
the rounds, in which the ways take turns), the MiB of matrix sent with the
tasks, and how many pairs are within reach. Every way's distances are
checked against the serial ones; the shared-memory block is removed however
the run ends (Ctrl-C included). Compare with shared_matrix.c, the same in C.
"""

import argparse
import functools
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
import multiprocessing
from multiprocessing import shared_memory

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import clock, gil_kind, int_list, interpreter_label, median, positive, write_data  # noqa: E402

INTERPRETER = interpreter_label()
METHODS = ["serial", "pickled", "shm", "threads"]


# snippet-begin: distance
def distance(matrix, m, i, j, max_hops):
    """Hops from i to j (0 if i == j), or -1 if more than max_hops."""
    if i == j:
        return 0
    seen = frontier = 1 << (8 * i)           # node v is bit 8v: byte v of a row
    for hop in range(1, max_hops + 1):
        nodes = frontier.to_bytes(m, "little")
        reached, u = 0, nodes.find(1)
        while u >= 0:                        # reached = frontier x A: OR of its rows
            reached |= int.from_bytes(matrix[u * m:(u + 1) * m], "little")
            u = nodes.find(1, u + 1)
        frontier = reached & ~seen           # keep only the new nodes
        seen |= reached
        if frontier >> (8 * j) & 1:
            return hop
        if not frontier:
            break
    return -1
# snippet-end: distance


def distances(matrix, m, max_hops, pairs):
    return [distance(matrix, m, i, j, max_hops) for i, j in pairs]


# snippet-begin: ways
def pickled_task(matrix, m, max_hops, pairs):   # the matrix is an argument: pickled per task
    return distances(matrix, m, max_hops, pairs)


attached = None                                 # each worker process's view of the block


def attach(name):                               # ProcessPoolExecutor(initializer=attach)
    global attached
    block = shared_memory.SharedMemory(name=name)
    attached = (block, block.buf)               # kept open for the worker's life


def shm_task(m, max_hops, pairs):               # the task carries only its pairs
    return distances(attached[1], m, max_hops, pairs)
# snippet-end: ways


def make_matrix(m, per_mille, seed):
    """Entry (u, v) set with probability per_mille / 1000: one byte each."""
    rng = random.Random(seed)
    rows = bytearray(m * m)
    for k in range(m * m):
        if rng.random() * 1000 < per_mille:
            rows[k] = 1
    return bytes(rows)


def run_way(method, matrix, m, args, chunks):
    """One run of one way: (seconds, distances in pair order)."""
    start = clock()
    if method == "serial":
        found = [distances(matrix, m, args.hops, c) for c in chunks]
    elif method == "threads":
        with ThreadPoolExecutor(max_workers=args.workers) as pool:
            found = list(pool.map(functools.partial(distances, matrix, m, args.hops), chunks))
    elif method == "pickled":
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            found = list(pool.map(pickled_task, [matrix] * len(chunks), [m] * len(chunks),
                                  [args.hops] * len(chunks), chunks))
    else:
        # snippet-begin: shm
        block = shared_memory.SharedMemory(create=True, size=len(matrix))
        try:
            block.buf[:len(matrix)] = matrix                  # copied in once
            with ProcessPoolExecutor(max_workers=args.workers, initializer=attach,
                                     initargs=(block.name,)) as pool:
                found = list(pool.map(functools.partial(shm_task, m, args.hops), chunks))
        finally:
            block.close()
            block.unlink()                                    # gone, whatever happened
        # snippet-end: shm
    return clock() - start, [d for c in found for d in c]


def run(args):
    print("CPython %s, GIL: %s, start method %s: %d pairs, %d per task, %d workers, %d%% of entries set"
          % (INTERPRETER, gil_kind(), multiprocessing.get_start_method(), args.pairs, args.per_task,
             args.workers, args.fraction // 10))
    print("%-8s %5s %9s %9s %9s %9s %10s" % ("method", "m", "median_s", "min_s", "max_s", "mib_sent", "reachable"))
    rows = []
    for m in args.sizes:
        matrix = make_matrix(m, args.fraction, args.seed)
        rng = random.Random(args.seed + m)
        pairs = [(rng.randrange(m), rng.randrange(m)) for _ in range(args.pairs)]
        chunks = [pairs[k:k + args.per_task] for k in range(0, len(pairs), args.per_task)]
        expected = distances(matrix, m, args.hops, pairs)     # the answer every way must give
        times = {method: [] for method in args.methods}
        for _ in range(args.repeat):                          # the ways take turns
            for method in args.methods:
                seconds, found = run_way(method, matrix, m, args, chunks)
                if found != expected:
                    sys.exit("matrix_python.py: %s, m = %d: distances differ from serial" % (method, m))
                times[method].append(seconds)
        reachable = sum(1 for d in expected if d >= 0)
        for method in args.methods:
            t = times[method]
            sent = len(matrix) * len(chunks) / 2 ** 20 if method == "pickled" else 0.0    # MiB
            row = [method, m, INTERPRETER, gil_kind(), args.workers, args.pairs, len(chunks), args.repeat,
                   "%.4f" % median(t), "%.4f" % min(t), "%.4f" % max(t), "%.3f" % sent, reachable]
            rows.append(row)
            print("%-8s %5d %9s %9s %9s %9s %10d" % tuple(row[:2] + row[8:]))
    if args.data:
        write_data(args.data, ["pairs: %d" % args.pairs, "pairs_per_task: %d" % args.per_task,
                               "workers: %d" % args.workers, "fraction_per_mille: %d" % args.fraction,
                               "hops: %d" % args.hops, "seed: %d" % args.seed,
                               "start_method: %s" % multiprocessing.get_start_method(),
                               "interpreter: %s" % INTERPRETER, "gil: %s" % gil_kind()],
                   ["method", "m", "interpreter", "gil", "workers", "pairs", "tasks", "repeats",
                    "median_s", "min_s", "max_s", "mib_sent", "reachable"], rows)


def number(low, high):
    def parse(text):
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError("'%s' is not a whole number from %d to %d" % (text, low, high))
        return int(text)
    return parse


def method_list(text):
    methods = text.split(",")
    for name in methods:
        if name not in METHODS:
            raise argparse.ArgumentTypeError("'%s' is not one of %s" % (name, ", ".join(METHODS)))
    return methods


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int_list(16, 8192), help="matrix sizes M (default 250,500,1000,2000)")
    parser.add_argument("--methods", type=method_list, default=METHODS)
    parser.add_argument("--fraction", type=number(1, 1000), default=20,
                        help="per-mille of the entries set (default 20: 2%%)")
    parser.add_argument("--hops", type=number(1, 64), default=4, help="the largest distance looked for")
    parser.add_argument("--pairs", type=number(1, 100000), help="pairs (i, j) per run (default 192)")
    parser.add_argument("--per-task", type=number(1, 100000), default=8, help="pairs per task")
    parser.add_argument("--workers", type=number(1, 64), default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=positive, help="rounds (default 3)")
    parser.add_argument("--seed", type=positive, default=1)
    parser.add_argument("--quick", action="store_true", help="sizes 200,400, pairs 32, one round")
    parser.add_argument("--data")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    args.sizes = args.sizes or ([200, 400] if args.quick else [250, 500, 1000, 2000])
    args.pairs = args.pairs or (32 if args.quick else 192)
    args.repeat = args.repeat or (1 if args.quick else 3)
    run(args)


if __name__ == "__main__":
    main()
