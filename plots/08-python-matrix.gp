# 08-python-matrix.gp - the matrix demo in real CPython: time against the
# matrix size M when the matrix is pickled with every task, put once in a
# multiprocessing.shared_memory block, or read by threads; one panel per
# interpreter found (chapter 8). Data: 08-python-matrix.tsv (matrix_python.py).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/08-python-matrix.svg"
data = datadir . "/08-python-matrix.tsv"
set output outfile
interps = system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; h = 1; next } !seen[$c]++ { printf \"%%s \", $c }' '%s'", data))
n = words(interps)
set terminal svg size (n > 1 ? 420 * n + 120 : 900),560 dynamic font "DejaVu Sans,13" noenhanced background "white"

set multiplot layout 1,n title sprintf("%s pairs, %s per task, %s workers, pure Python: the matrix pickled, shared, or shared by threads\n%s", \
    provenance(data, "pairs"), provenance(data, "pairs_per_task"), provenance(data, "workers"), machine(data))
set xlabel "matrix size M (M x M bytes)"
set ylabel "wall time (s), median with min-max"
set logscale xy 2
set xrange [160:2600]
set xtics (250, 500, 1000, 2000)
set format y "%g"
set ytics (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10)
stats data using "min_s" nooutput
lowest = STATS_min
stats data using "max_s" nooutput
set yrange [lowest / 6:STATS_max * 1.3]       # one scale for every panel; room below for the key
set key bottom right

do for [k = 1:n] {
    ip = word(interps, k)
    set title sprintf("CPython %s (%s)", ip, ip[strlen(ip):] eq "t" ? "no GIL" : "GIL")
    plot select(data, "method=pickled,interpreter=" . ip) using "m":"median_s":"min_s":"max_s" \
             with yerrorlines lt 2 title "pickled with every task", \
         select(data, "method=serial,interpreter=" . ip) using "m":"median_s":"min_s":"max_s" \
             with yerrorlines lt 7 dt 2 pt 6 title "serial", \
         select(data, "method=shm,interpreter=" . ip) using "m":"median_s":"min_s":"max_s" \
             with yerrorlines lt 5 title "shared_memory, attached once", \
         select(data, "method=threads,interpreter=" . ip) using "m":"median_s":"min_s":"max_s" \
             with yerrorlines lt 3 title "threads, the one matrix"
    unset key
    unset ylabel
}
unset multiplot
