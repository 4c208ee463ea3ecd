# 11-chunks.gp - chapter 5's chunk-size sweep over MPI: the time per task
# when a manager rank hands out chunks to workers, through shared memory,
# TCP over loopback, between two hosts, and from Python (chapter 11).
# Data: 11-chunks.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/11-chunks.svg"
data = datadir . "/11-chunks.tsv"
set output outfile

serial = lookup(data, "serial_us", "network", "shm")
set title sprintf("A manager hands out chunks to one worker rank: time per task (%s)\n%s, %s", \
                  provenance(data, "work"), provenance(data, "mpi"), machine(data))
set xlabel "chunk size (tasks per message)"
set ylabel "time per task (µs), median with min-max"
set logscale xy 10
set xrange [0.7:1500]
set format y "%g"
set key top right Left reverse font ",12"

pick(n, col) = strcol("network") eq n ? column(col) : NaN
plot data using "chunk_size":(pick("py-shm", "per_task_us")):(pick("py-shm", "min_us")):(pick("py-shm", "max_us")) \
         with yerrorlines lt 4 dt 2 pt 12 title "Python mpi4py (pickled chunks), shared memory", \
     data using "chunk_size":(pick("two-hosts", "per_task_us")):(pick("two-hosts", "min_us")):(pick("two-hosts", "max_us")) \
         with yerrorlines lt 7 title "C, TCP between two hosts (namespaces, veth)", \
     data using "chunk_size":(pick("tcp", "per_task_us")):(pick("tcp", "min_us")):(pick("tcp", "max_us")) \
         with yerrorlines lt 2 title "C, TCP over loopback", \
     data using "chunk_size":(pick("shm", "per_task_us")):(pick("shm", "min_us")):(pick("shm", "max_us")) \
         with yerrorlines lt 1 title "C, shared memory", \
     serial with lines lt 3 dt 2 lw 1 title "the task itself, C, serial"
