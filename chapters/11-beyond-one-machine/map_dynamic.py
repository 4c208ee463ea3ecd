#!/usr/bin/python3
"""map_dynamic.py - map_dynamic.c in Python with mpi4py: a manager (rank 0)
hands out chunks of tasks to worker ranks, one chunk at a time, with
comm.send / comm.recv (each chunk a pickled list), at each chunk size.

  chapters/11-beyond-one-machine/mpi_run.sh -- /usr/bin/python3 chapters/11-beyond-one-machine/map_dynamic.py --quick

The task is map_dynamic.c's (a number hashed --work times over with
splitmix64's finalizer), so the results are the same numbers; they are
checked against a serial run on the manager, and a difference ends the job
(status 1). The data file has map_dynamic.c's columns, network py-LABEL.
What to expect: the same shape as C (chunking pays), every cost larger:
each message is a pickle, each task a Python call.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import int_list, median, positive, write_data  # noqa: E402

MASK = (1 << 64) - 1
TAG_WORK, TAG_RESULT, TAG_STOP = 1, 2, 3


def hash64(x):
    """common/random.c's hash64: splitmix64's finalizer."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def task(x, work):
    for _ in range(work):
        x = hash64(x)
    return x


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=positive, default=None)
    parser.add_argument("--work", type=positive, default=10)
    parser.add_argument("--chunks", type=int_list(1, 100000), default=[1, 2, 5, 10, 50, 100, 1000])
    parser.add_argument("--label", default="shm")
    parser.add_argument("--seed", type=positive, default=1)
    parser.add_argument("--repeat", type=positive, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data")
    args = parser.parse_args()
    if args.tasks is None:
        args.tasks = 1000 if args.quick else 5000
    if args.repeat is None:
        args.repeat = 2 if args.quick else 5
    return args


def manage(comm, inputs, chunk):
    """Hand the tasks out `chunk` at a time; the results and the messages."""
    n, results, next_, busy, messages = len(inputs), [None] * len(inputs), 0, 0, 0
    status = __import__("mpi4py").MPI.Status()
    for w in range(1, comm.Get_size()):
        if next_ < n:
            comm.send((next_, inputs[next_:next_ + chunk]), dest=w, tag=TAG_WORK)
            next_ += chunk
            busy += 1
        else:
            comm.send(None, dest=w, tag=TAG_STOP)
        messages += 1
    while busy:
        first, values = comm.recv(source=-1, tag=TAG_RESULT, status=status)   # -1: MPI.ANY_SOURCE
        results[first:first + len(values)] = values
        messages += 1
        if next_ < n:
            comm.send((next_, inputs[next_:next_ + chunk]), dest=status.Get_source(), tag=TAG_WORK)
            next_ += chunk
        else:
            comm.send(None, dest=status.Get_source(), tag=TAG_STOP)
            busy -= 1
        messages += 1
    return results, messages


def work_loop(comm, work):
    status = __import__("mpi4py").MPI.Status()
    while True:
        message = comm.recv(source=0, tag=-1, status=status)                 # -1: MPI.ANY_TAG
        if status.Get_tag() == TAG_STOP:
            return
        first, values = message
        comm.send((first, [task(x, work) for x in values]), dest=0, tag=TAG_RESULT)


def main():
    args = parse_args()
    from mpi4py import MPI                  # after parsing: --help needs no MPI
    comm = MPI.COMM_WORLD
    if comm.Get_size() < 2:
        print("map_dynamic.py: needs a manager and at least one worker", file=sys.stderr)
        sys.exit(2)
    if comm.Get_rank() != 0:
        for _ in range(len(args.chunks) * args.repeat):
            work_loop(comm, args.work)
        return
    inputs = [hash64(args.seed + i) for i in range(args.tasks)]
    start = time.perf_counter()
    expected = [task(x, args.work) for x in inputs]
    serial_us = (time.perf_counter() - start) * 1e6 / args.tasks
    rows = []
    for chunk in args.chunks:
        us = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            results, messages = manage(comm, inputs, chunk)
            us.append((time.perf_counter() - start) * 1e6 / args.tasks)
            if results != expected:
                print("map_dynamic.py: chunk %d: results differ from the serial run's" % chunk, file=sys.stderr)
                comm.Abort(1)
        rows.append(["py-" + args.label, comm.Get_size(), chunk, args.repeat, "%.3f" % median(us),
                     "%.3f" % min(us), "%.3f" % max(us), "%.3f" % serial_us, messages])
        print("%-10s chunk %5d  %10.3f us a task (serial %.3f)" % (rows[-1][0], chunk, median(us), serial_us))
    print("results: all %d equal to the serial run's, checksum %016x" % (args.tasks, sum(expected) & MASK))
    if args.data:
        write_data(args.data, ["work: %d hashes a task" % args.work,
                               "mpi4py: %s" % __import__("mpi4py").__version__,
                               "btl: %s" % os.environ.get("OMPI_MCA_btl", "(Open MPI's choice)")],
                   ["network", "ranks", "chunk_size", "repeats", "per_task_us", "min_us", "max_us",
                    "serial_us", "messages"], rows)


if __name__ == "__main__":
    main()
