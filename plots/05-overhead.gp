# 05-overhead.gp - time per task of a pool whose tasks do nothing, against
# the chunk size: the C pools and, when measured, Python's concurrent.futures
# (chapter 5). Data: 05-overhead.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/05-overhead.svg"
data = datadir . "/05-overhead.tsv"
set output outfile

set title sprintf("What a pool costs per task (tasks that do nothing, %s workers)\n%s", \
                  provenance(data, "workers"), machine(data))
set xlabel "chunk size (tasks per message)"
set ylabel "time per task (µs), median with min-max"
set logscale xy 10
set xrange [0.7:150]
set yrange [0.1:300]
set xtics (1, 2, 5, 10, 50, 100)
set format y "%g"
set terminal svg size 1150,560 dynamic font "DejaVu Sans,13" noenhanced background "white"
set key outside right top

pick(p, m, col) = (strcol("pool") eq p && strcol("method") eq m) ? column(col) : NaN
plot data using "chunk_size":(pick("py-processes", "map", "per_task_us")):(pick("py-processes", "map", "min_us")):(pick("py-processes", "map", "max_us")) \
         with yerrorlines lt 5 dt 2 pt 10 title "Python ProcessPoolExecutor.map", \
     data using "chunk_size":(pick("py-threads", "map", "per_task_us")):(pick("py-threads", "map", "min_us")):(pick("py-threads", "map", "max_us")) \
         with yerrorlines lt 1 dt 2 pt 6 title "Python ThreadPoolExecutor.map (ignores chunksize)", \
     data using "chunk_size":(pick("c-processes", "map", "per_task_us")):(pick("c-processes", "map", "min_us")):(pick("c-processes", "map", "max_us")) \
         with yerrorlines lt 5 title "C process pool, pool_map", \
     data using "chunk_size":(pick("c-threads", "map", "per_task_us")):(pick("c-threads", "map", "min_us")):(pick("c-threads", "map", "max_us")) \
         with yerrorlines lt 1 title "C thread pool, pool_map", \
     data using "chunk_size":(pick("py-processes", "submit", "per_task_us")) with points lt 5 pt 4 ps 1.6 title "submit (one task a message): Python processes", \
     data using "chunk_size":(pick("py-threads", "submit", "per_task_us")) with points lt 1 pt 4 ps 1.6 title "... Python threads", \
     data using "chunk_size":(pick("c-processes", "submit", "per_task_us")) with points lt 5 pt 12 ps 1.6 title "... C processes", \
     data using "chunk_size":(pick("c-threads", "submit", "per_task_us")) with points lt 1 pt 12 ps 1.6 title "... C threads"
