#!/usr/bin/python3
"""pingpong.py - pingpong.c in Python with mpi4py: what a message costs
between two MPI ranks when each end is CPython.

Two ways to send, measured in the same job:

  py-buffer   comm.Send / comm.Recv of a bytearray: mpi4py hands the
              buffer to MPI as it is, as the C program does
  py-pickle   comm.send / comm.recv of a bytes object: mpi4py pickles it,
              sends the pickle, and unpickles a new object at the other end

  chapters/11-beyond-one-machine/mpi_run.sh -- /usr/bin/python3 chapters/11-beyond-one-machine/pingpong.py --quick

The data file has pingpong.c's columns (transport py-buffer-LABEL,
py-pickle-LABEL). What to expect: py-buffer a microsecond or so above C for
small messages (the Python calls), the same bandwidth for big ones;
py-pickle slower again, as every message is copied into a pickle and out.
Debian's python3-mpi4py is built for Debian's /usr/bin/python3.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "common"))
from workbook import int_list, median, positive, write_data  # noqa: E402

SIZES = [8, 64, 512, 4096, 32768, 262144, 2097152, 16777216]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int_list(1, 64 << 20), default=SIZES)
    parser.add_argument("--label", default="shm")
    parser.add_argument("--repeat", type=positive, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data")
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 2 if args.quick else 5
    args.budget = (8 << 20) if args.quick else (32 << 20)
    args.max_trips = 500 if args.quick else 2000
    return args


def trips_for(args, size):
    """As pingpong.c counts them."""
    return max(5, min(args.max_trips, args.budget // size))


def buffer_ping_pong(comm, buf, trips):
    """Round trips of a bytearray through Send/Recv; the one-way time in us."""
    rank = comm.Get_rank()
    comm.Barrier()
    start = time.perf_counter()
    for _ in range(trips):
        if rank == 0:
            comm.Send(buf, dest=1)
            comm.Recv(buf, source=1)
        else:
            comm.Recv(buf, source=0)
            buf[0] = (buf[0] + 1) % 256
            comm.Send(buf, dest=0)
    return (time.perf_counter() - start) * 1e6 / trips / 2


def pickle_ping_pong(comm, message, trips):
    """Round trips of a bytes object through send/recv (pickled)."""
    rank = comm.Get_rank()
    comm.Barrier()
    start = time.perf_counter()
    for _ in range(trips):
        if rank == 0:
            comm.send(message, dest=1)
            message = comm.recv(source=1)
        else:
            message = comm.recv(source=0)
            comm.send(message, dest=0)
    return (time.perf_counter() - start) * 1e6 / trips / 2


def main():
    args = parse_args()
    from mpi4py import MPI                  # after parsing: --help needs no MPI
    comm = MPI.COMM_WORLD
    if comm.Get_size() != 2:
        if comm.Get_rank() == 0:
            print("pingpong.py: needs exactly 2 ranks", file=sys.stderr)
        sys.exit(2)
    rows = []
    for way in ("buffer", "pickle"):
        for size in args.sizes:
            trips = trips_for(args, size)
            buf = bytearray(size)
            us = []
            for r in range(args.repeat + 1):    # the first: a warm-up, not kept
                if way == "buffer":
                    buf[0] = 0
                    t = buffer_ping_pong(comm, buf, trips)
                    if comm.Get_rank() == 0 and buf[0] != trips % 256:
                        print("pingpong.py: the message did not come back", file=sys.stderr)
                        comm.Abort(1)
                else:
                    t = pickle_ping_pong(comm, bytes(size), trips)
                if r > 0:
                    us.append(t)
            gbs = [size / (u * 1e3) for u in us]
            rows.append(["py-%s-%s" % (way, args.label), size, args.repeat, trips,
                         "%.3f" % median(us), "%.3f" % min(us), "%.3f" % max(us),
                         "%.6f" % median(gbs), "%.6f" % min(gbs), "%.6f" % max(gbs)])
            if comm.Get_rank() == 0:
                print("%-22s %10d bytes %12.3f us %8.3f GB/s" % (rows[-1][0], size, median(us), median(gbs)))
    if comm.Get_rank() == 0 and args.data:
        write_data(args.data, ["mpi: %s" % MPI.Get_library_version().split(",")[0].strip(),
                               "mpi4py: %s" % __import__("mpi4py").__version__,
                               "btl: %s" % os.environ.get("OMPI_MCA_btl", "(Open MPI's choice)")],
                   ["transport", "bytes", "repeats", "trips", "median_us", "min_us", "max_us",
                    "median_gbs", "min_gbs", "max_gbs"], rows)


if __name__ == "__main__":
    main()
