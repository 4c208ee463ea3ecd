# 10-event-loop.gp - thousands of calls in flight: one thread's event loop
# beside the pools and a process per user, in C (wall time and peak memory
# against the number of users), and asyncio beside ThreadPoolExecutor in
# CPython (wall time), chapter 10. The memory is a range, from the kernel's
# high-water marks: its top adds up every process's own peak (peak_sum_mib),
# its bottom is the largest process's (peak_largest_mib).
# Data: 10-event-loop.tsv, 10-asyncio.tsv (if CPython ran).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/10-event-loop.svg"
data = datadir . "/10-event-loop.tsv"
py = datadir . "/10-asyncio.tsv"
have_py = have(py)
set output outfile
set terminal svg size 1400,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

methods = "threads process-pool process-per-user event-loop event-loop-pool"
lt_of(m) = m eq "threads" ? 1 : m eq "process-per-user" ? 2 : m eq "process-pool" ? 5 : m eq "event-loop" ? 4 : 3
title_of(m) = m eq "threads" ? sprintf("threads (%s, no GIL)", provenance(data, "workers")) : \
              m eq "process-pool" ? sprintf("process-pool (%s)", provenance(data, "workers")) : \
              m eq "event-loop" ? "event-loop (CPU step in the loop)" : \
              m eq "event-loop-pool" ? "event-loop-pool (CPU step in processes)" : m

set multiplot layout 1,(have_py ? 3 : 2) title sprintf("Synthetic users, every call at once: one event loop beside the pools\n%s", \
                                                        machine(data))
set xlabel "users"
set logscale xy 10
set xrange [70:7000]
set xtics (100, 500, 1000, 5000)
set format y "%g"
set key top left

set title "C: wall time"
set ylabel "seconds, median with min-max"
set yrange [0.1:1000]
plot for [m in methods] select(data, "method=" . m) using "users":"median_s":"min_s":"max_s" \
         with yerrorlines lt lt_of(m) title title_of(m)

set title "C: peak memory, summed (line) to largest (bar)"
set ylabel "MiB (resident)"
set yrange [1:10000]
unset key
plot for [m in methods] select(data, "method=" . m) using "users":"peak_sum_mib":"peak_largest_mib":"peak_sum_mib" \
         with yerrorlines lt lt_of(m)

if (have_py) {
    interpreters = system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; h = 1; next } !s[$c]++ { printf \"%%s \", $c }' '%s'", py))
    py_methods = "threads asyncio asyncio-pool"
    py_lt(m) = m eq "threads" ? 1 : m eq "asyncio" ? 4 : 3
    set title "CPython: wall time (asyncio: 100 calls at once)"
    set ylabel "seconds, median with min-max"
    set xrange [70:1500]
    set xtics (100, 1000)
    set yrange [0.1:30]
    set key top left
    plot for [i = 1:words(interpreters)] for [m in py_methods] \
             select(py, "interpreter=" . word(interpreters, i) . ",method=" . m) \
             using "users":"median_s":"min_s":"max_s" with yerrorlines lt py_lt(m) dt i \
             title sprintf("%s %s", word(interpreters, i), m)
}
unset multiplot
