# 09-lock-cost.gp - nanoseconds per increment of a shared counter made
# correct four ways, against the number of threads (chapter 9).
# Data: 09-lock-cost.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/09-lock-cost.svg"
data = datadir . "/09-lock-cost.tsv"
set output outfile

cores = real(provenance(data, "cores"))
set title sprintf("A shared counter, four correct ways: time per increment (wall time / all increments)\n%s", machine(data))
set xlabel "threads"
set ylabel "ns per increment, median with min-max"
set logscale x 2
set logscale y 10
set xrange [0.8:10]
set xtics (1, 2, 4, 8)
set format y "%g"
set yrange [0.1:400]
set key top right
set arrow from cores, graph 0 to cores, graph 1 nohead lt 7 dt 3
set label sprintf("%d cores", cores) at cores, graph 0.95 offset 0.5, 0

pick(m, col) = strcol("method") eq m ? column(col) : NaN
plot for [m in "mutex spin atomic local"] data using "threads":(pick(m, "median_ns_per_op")):(pick(m, "min_ns_per_op")):(pick(m, "max_ns_per_op")) \
         with yerrorlines lt (m eq "mutex" ? 1 : m eq "spin" ? 2 : m eq "atomic" ? 3 : 5) \
         title (m eq "mutex" ? "pthread mutex" : m eq "spin" ? "pthread spinlock" : m eq "atomic" ? "C11 atomic_fetch_add" : "per-thread counters, summed at the end")
