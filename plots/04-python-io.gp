# 04-python-io.gp - I/O-bound batches in real CPython: wall time against the
# number of threads (ThreadPoolExecutor) and of processes (ProcessPoolExecutor),
# one colour per interpreter found (chapter 4; the article's first and third
# graphs). Data: 04-python-scaling.tsv (io_cpu_python.py scaling).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/04-python-io.svg"
data = datadir . "/04-python-scaling.tsv"
set output outfile
set terminal svg size 1100,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

tasks = real(provenance(data, "io_tasks"))
delay = real(provenance(data, "delay_s"))
# The interpreters in the file, in the order they were run ("3.11.7 3.13.5t").
interps = system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; h = 1; next } !seen[$c]++ { printf \"%%s \", $c }' '%s'", data))
serial = delay * tasks

set multiplot layout 1,2 title sprintf("%d I/O-bound tasks (%g ms each) in real CPython: the pools of concurrent.futures\n%s", \
    tasks, delay * 1000, machine(data))
set ylabel "wall time (s), median with min-max"
set logscale xy 2
set xrange [0.8:20]
set xtics (1, 2, 4, 8, 16)
set format y "%g"
set key top right
set ytics (0.02, 0.05, 0.1, 0.2, 0.5, 1, 2)
set yrange [0.035:12]     # room for the key above the lines

do for [mode in "threads processes"] {
    set title sprintf("a pool of %s (%s)", mode, mode eq "threads" ? "ThreadPoolExecutor" : "ProcessPoolExecutor")
    set xlabel sprintf("%s in the pool", mode)
    plot serial / (x < tasks ? x : tasks) with lines lt 7 dt 3 lw 1.5 title "ideal: serial time / workers", \
         for [k = 1:words(interps)] select(data, sprintf("workload=sleep,mode=%s,interpreter=%s", mode, word(interps, k))) \
             using "workers":"median_s":"min_s":"max_s" with yerrorlines lt k title sprintf("%s: sleep (delayed_return)", word(interps, k)), \
         for [k = 1:words(interps)] select(data, sprintf("workload=api,mode=%s,interpreter=%s", mode, word(interps, k))) \
             using "workers":"median_s":"min_s":"max_s" with yerrorlines lt k dt 2 pt 6 title sprintf("%s: api (urlopen, local server)", word(interps, k))
    unset key
}
unset multiplot
