# 11-pingpong.gp - the one-way time of a message against its size, between
# two processes: through Open MPI's shared-memory and TCP transports, between
# two hosts (network namespaces), through a pipe and through shared memory
# by hand, and from Python with mpi4py (chapter 11). Data: 11-pingpong.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/11-pingpong.svg"
data = datadir . "/11-pingpong.tsv"
set output outfile

set title sprintf("What one message costs: ping-pong between two processes pinned to two cores\n%s, %s", \
                  provenance(data, "mpi"), machine(data))
set xlabel "message size (bytes)"
set ylabel "one-way time (µs), median with min-max"
set logscale xy 10
set format x "%.0s%cB"
set xrange [5:3e7]
set format y "%g"
set key top left Left reverse font ",12"

pick(t, col) = strcol("transport") eq t ? column(col) : NaN
plot data using "bytes":(pick("py-pickle-shm", "median_us")):(pick("py-pickle-shm", "min_us")):(pick("py-pickle-shm", "max_us")) \
         with yerrorlines lt 4 dt 2 pt 12 title "Python mpi4py, send/recv (pickled), shared memory", \
     data using "bytes":(pick("py-buffer-shm", "median_us")):(pick("py-buffer-shm", "min_us")):(pick("py-buffer-shm", "max_us")) \
         with yerrorlines lt 4 pt 13 title "Python mpi4py, Send/Recv (buffer), shared memory", \
     data using "bytes":(pick("two-hosts", "median_us")):(pick("two-hosts", "min_us")):(pick("two-hosts", "max_us")) \
         with yerrorlines lt 7 title "MPI, TCP between two hosts (namespaces, veth)", \
     data using "bytes":(pick("mpi-tcp", "median_us")):(pick("mpi-tcp", "min_us")):(pick("mpi-tcp", "max_us")) \
         with yerrorlines lt 2 title "MPI, TCP over loopback", \
     data using "bytes":(pick("pipe", "median_us")):(pick("pipe", "min_us")):(pick("pipe", "max_us")) \
         with yerrorlines lt 5 dt 2 pt 11 title "a pipe (chapter 6), no MPI", \
     data using "bytes":(pick("mpi-shm", "median_us")):(pick("mpi-shm", "min_us")):(pick("mpi-shm", "max_us")) \
         with yerrorlines lt 1 title "MPI, shared memory (vader)", \
     data using "bytes":(pick("shm", "median_us")):(pick("shm", "min_us")):(pick("shm", "max_us")) \
         with yerrorlines lt 3 dt 2 pt 9 title "shared memory by hand (chapter 8), no MPI"
