# 08-shared-matrix.gp - hop distances for many pairs of a random graph:
# time against the matrix size M when the M x M matrix is sent with every
# task, put once in shared memory, or shared by threads (chapter 8).
# Data: 08-shared-matrix.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/08-shared-matrix.svg"
data = datadir . "/08-shared-matrix.tsv"
set output outfile

set title sprintf("%s pairs, %s per task, %s workers: the matrix sent, shared, or shared by threads\n%s", \
                  provenance(data, "pairs"), provenance(data, "pairs_per_task"), provenance(data, "workers"), machine(data))
set xlabel "matrix size M (an M x M matrix of bytes)"
set ylabel "wall time (ms), median with min-max"
set logscale xy 2
set xrange [200:2500]
set xtics (250, 500, 1000, 2000)
set ytics (1, 2, 5, 10, 20, 50, 100, 200, 500)
set yrange [1:500]
set key top left

pick(m, col) = strcol("method") eq m ? 1000 * column(col) : NaN     # in ms
plot data using "m":(pick("pipe", "median_s")):(pick("pipe", "min_s")):(pick("pipe", "max_s")) \
         with yerrorlines lt 2 title "process pool, the matrix sent with every task (pipe)", \
     data using "m":(pick("serial", "median_s")):(pick("serial", "min_s")):(pick("serial", "max_s")) \
         with yerrorlines lt 7 dt 2 pt 6 title "serial", \
     data using "m":(pick("shm", "median_s")):(pick("shm", "min_s")):(pick("shm", "max_s")) \
         with yerrorlines lt 5 title "process pool, the matrix in shared memory (shm)", \
     data using "m":(pick("threads", "median_s")):(pick("threads", "min_s")):(pick("threads", "max_s")) \
         with yerrorlines lt 3 title "thread pool without a GIL, the matrix shared"
