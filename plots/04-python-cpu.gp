# 04-python-cpu.gp - CPU-bound batches in real CPython: speed-up over the same
# interpreter's serial run against the number of workers, threads and
# processes, one colour per interpreter found (chapter 4; the article's
# second graph, and the source documents' free-threaded demo when a
# free-threaded build is among them). Data: 04-python-scaling.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/04-python-cpu.svg"
data = datadir . "/04-python-scaling.tsv"
set output outfile
set terminal svg size 1100,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

cores = real(provenance(data, "cores"))
tasks = real(provenance(data, "cpu_tasks"))
interps = system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; h = 1; next } !seen[$c]++ { printf \"%%s \", $c }' '%s'", data))

set multiplot layout 1,2 title sprintf("%d CPU-bound tasks in real CPython: speed-up over the same interpreter's serial run\n%s", \
    tasks, machine(data))
set xlabel "workers (threads or processes)"
set ylabel "speed-up over serial, median (error bars: min-max)"
set xrange [0.7:4.3]
set xtics 1
set yrange [0:3.6]     # room for the key above the lines
set ytics (0, 0.5, 1, 1.5, 2, 2.5)
set key top left vertical maxrows 4 samplen 1.5 font ",11"

do for [w in "factorize compute"] {
    set title (w eq "factorize" ? "factorize (long_factorize)" : "compute (the compute loop)")
    plot (x < cores ? x : cores) with lines lt 7 dt 3 lw 1.5 title sprintf("ideal (%d cores)", cores), \
         1 with lines lt 7 dt 2 lw 1 title "serial", \
         for [k = 1:words(interps)] select(data, sprintf("workload=%s,mode=threads,interpreter=%s", w, word(interps, k))) \
             using "workers":"speedup":(column("speedup") * column("median_s") / column("max_s")):(column("speedup") * column("median_s") / column("min_s")) \
             with yerrorlines lt k title sprintf("%s threads", word(interps, k)), \
         for [k = 1:words(interps)] select(data, sprintf("workload=%s,mode=processes,interpreter=%s", w, word(interps, k))) \
             using "workers":"speedup":(column("speedup") * column("median_s") / column("max_s")):(column("speedup") * column("median_s") / column("min_s")) \
             with yerrorlines lt k dt 2 pt 6 title sprintf("%s processes", word(interps, k))
    unset key
}
unset multiplot
