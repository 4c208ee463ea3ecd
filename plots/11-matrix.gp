# 11-matrix.gp - chapter 8's graph distances over MPI: the matrix sent with
# every task, or broadcast once (MPI_Bcast), through shared memory and
# between two hosts, against the serial run (chapter 11). Data: 11-matrix.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/11-matrix.svg"
data = datadir . "/11-matrix.tsv"
set output outfile

set title sprintf("Many tasks need the same matrix: send it with every task, or broadcast it once\n%s, %s", \
                  provenance(data, "mpi"), machine(data))
set xlabel "matrix size M (an M x M matrix of bytes)"
set ylabel "wall time (ms), median with min-max"
set logscale xy 2
set xrange [170:2500]
set yrange [*:*]
set xtics (200, 250, 400, 500, 1000, 2000)
set format y "%g"
set key top left Left reverse font ",12"

# One series per network and way, each through select() (style.gp), so
# that its points are consecutive rows and the lines join them.
networks = system(sprintf("awk -F'\t' '/^#/ { next } !h { h = 1; next } !seen[$1]++ { printf \"%%s \", $1 }' '%s'", data))
ms(col) = 1000 * column(col)
name(n) = n eq "shm" ? "shared memory" : n eq "two-hosts" ? "two hosts" : n
plot for [k = 1:words(networks)] select(data, sprintf("network=%s,method=per-task", word(networks, k))) \
         using "size":(ms("median_s")):(ms("min_s")):(ms("max_s")) with yerrorlines lt 2 dt k pt (k == 1 ? 5 : 4) \
         title sprintf("%s, the matrix sent with every task", name(word(networks, k))), \
     for [k = 1:words(networks)] select(data, sprintf("network=%s,method=bcast", word(networks, k))) \
         using "size":(ms("median_s")):(ms("min_s")):(ms("max_s")) with yerrorlines lt 5 dt k pt (k == 1 ? 11 : 10) \
         title sprintf("%s, the matrix broadcast once", name(word(networks, k))), \
     select(data, "network=shm,method=serial") using "size":(ms("median_s")):(ms("min_s")):(ms("max_s")) \
         with yerrorlines lt 7 dt 3 pt 6 title "serial, one process"
