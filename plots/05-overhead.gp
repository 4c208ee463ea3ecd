# 05-overhead.gp - time per task of a pool whose tasks do nothing, against
# the chunk size: the C pools and, when measured, Python's concurrent.futures
# (chapter 5). Data: 05-overhead.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/05-overhead.svg"
data = datadir . "/05-overhead.tsv"
set output outfile

set title sprintf("What a pool costs per task (tasks that do nothing, %s workers)\n%s", \
                  provenance(data, "workers"), machine(data))
set xlabel "chunk size (tasks per message); submit sends one task a message"
set ylabel "time per task (µs), median with min-max"
set logscale xy 10
# submit sends one task a message and has no chunk size: its points stand
# apart, left of chunk size 1.
submit_x = 0.55
set xrange [0.42:150]
set yrange [0.1:1000]
set xtics ("submit" submit_x, 1, 2, 5, 10, 50, 100)
set format y "%g"
set key top right Left reverse samplen 2 font ",12"

pick(p, m, col) = (strcol("pool") eq p && strcol("method") eq m) ? column(col) : NaN
plot data using "chunk_size":(pick("py-processes", "map", "per_task_us")):(pick("py-processes", "map", "min_us")):(pick("py-processes", "map", "max_us")) \
         with yerrorlines lt 5 dt 2 pt 10 title "Python ProcessPoolExecutor.map", \
     data using "chunk_size":(pick("py-threads", "map", "per_task_us")):(pick("py-threads", "map", "min_us")):(pick("py-threads", "map", "max_us")) \
         with yerrorlines lt 1 dt 2 pt 6 title "Python ThreadPoolExecutor.map (ignores chunksize)", \
     data using "chunk_size":(pick("c-processes", "map", "per_task_us")):(pick("c-processes", "map", "min_us")):(pick("c-processes", "map", "max_us")) \
         with yerrorlines lt 5 title "C process pool, pool_map", \
     data using "chunk_size":(pick("c-threads", "map", "per_task_us")):(pick("c-threads", "map", "min_us")):(pick("c-threads", "map", "max_us")) \
         with yerrorlines lt 1 title "C thread pool, pool_map", \
     data using (submit_x):(pick("py-processes", "submit", "per_task_us")):(pick("py-processes", "submit", "min_us")):(pick("py-processes", "submit", "max_us")) \
         with yerrorbars lt 5 pt 10 notitle, \
     data using (submit_x):(pick("py-threads", "submit", "per_task_us")):(pick("py-threads", "submit", "min_us")):(pick("py-threads", "submit", "max_us")) \
         with yerrorbars lt 1 pt 6 notitle, \
     data using (submit_x):(pick("c-processes", "submit", "per_task_us")):(pick("c-processes", "submit", "min_us")):(pick("c-processes", "submit", "max_us")) \
         with yerrorbars lt 5 notitle, \
     data using (submit_x):(pick("c-threads", "submit", "per_task_us")):(pick("c-threads", "submit", "min_us")):(pick("c-threads", "submit", "max_us")) \
         with yerrorbars lt 1 notitle
