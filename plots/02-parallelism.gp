# 02-parallelism.gp - the same CPU-bound threads on one core and on all
# cores: wall time and effective parallelism (chapter 2).
# Data: 02-parallelism.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/02-parallelism.svg"
set terminal svg size 1100,520 dynamic font "DejaVu Sans,13" noenhanced background "white"
data = datadir . "/02-parallelism.tsv"
set output outfile

cores = real(provenance(data, "cores"))
pick(c, col) = column("cpus") == c ? column(col) : NaN
# One thread's time, from the one-core run with one thread: the unit of the ideal lines.
stats data using (column("threads") == 1 && column("cpus") == 1 ? column("median_wall_s") : NaN) name "one" nooutput
ceil_div(n, c) = int((n + c - 1) / c)

set multiplot layout 1,2 title sprintf("Every thread does the same job: concurrency on one core, parallelism on %d\n%s", cores, machine(data))
set logscale x 2
set xrange [0.8:10]
set xtics (1, 2, 4, 8)
set xlabel "threads"
set key top left

set title "wall time"
set ylabel "wall time (s)"
set yrange [0:*]
set offsets 0, 0, graph 0.45, 0   # room for the key above the lines
# The ideal lines, drawn at the measured thread counts (the rows of the 1-core run).
plot data using "threads":(column("cpus") == 1 ? one_mean * column("threads") : NaN) \
         with lines lt 2 dt 3 title "ideal, 1 core: threads × one job", \
     data using "threads":(column("cpus") == 1 ? one_mean * ceil_div(column("threads"), cores) : NaN) \
         with lines lt 1 dt 3 title sprintf("ideal, %d cores", cores), \
     data using "threads":(pick(1, "median_wall_s")):(pick(1, "min_wall_s")):(pick(1, "max_wall_s")) \
         with yerrorlines lt 2 title "1 core (concurrent)", \
     data using "threads":(pick(cores, "median_wall_s")):(pick(cores, "min_wall_s")):(pick(cores, "max_wall_s")) \
         with yerrorlines lt 1 title sprintf("%d cores (parallel)", cores)

set title "effective parallelism"
set offsets 0, 0, 0, 0
set key right bottom
set ylabel "CPU time / wall time"
set yrange [0:cores + 0.5]
plot 1 with lines lt 2 dt 3 title "ideal, 1 core: 1", \
     data using "threads":(column("cpus") == 1 ? (column("threads") < cores ? column("threads") : cores) : NaN) \
         with lines lt 1 dt 3 title sprintf("ideal, %d cores: min(threads, %d)", cores, cores), \
     data using "threads":(pick(1, "parallelism")) with linespoints lt 2 title "1 core (concurrent)", \
     data using "threads":(pick(cores, "parallelism")) with linespoints lt 1 title sprintf("%d cores (parallel)", cores)
unset multiplot
