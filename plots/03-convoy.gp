# 03-convoy.gp - the convoy effect: a short blocking operation alone and
# beside CPU-bound threads, against the switch interval (chapter 3).
# Data: 03-convoy.tsv (simulation), 03-cpython-convoy.tsv (optional).
# The old GIL has no interval: its operations stand at the left, apart.
load 'plots/style.gp'
set terminal svg size 900,600 dynamic font "DejaVu Sans,13" noenhanced background "white"
if (!exists("outfile")) outfile = "plots/03-convoy.svg"
sim = datadir . "/03-convoy.tsv"
py = datadir . "/03-cpython-convoy.tsv"
set output outfile

ms = "interval_us"
old_x = 0.2     # where the old GIL's operations stand
stats select(sim, "gil=new,cpu_threads=0") using "median_op_ms" name "alone" nooutput

set title sprintf("The convoy effect: a blocking operation (%s) beside CPU-bound threads\n%s", \
                  provenance(sim, "op"), machine(sim))
set xlabel "switch interval (ms); the old GIL has none"
set ylabel "time of one operation (ms): median, min and max"
set logscale xy
set xrange [0.14:80]
set yrange [0.1:30000]
set xtics ("old GIL" old_x, "0.5" 0.5, "1" 1, "5" 5, "10" 10, "50" 50)

set key top left Left reverse samplen 2 spacing 1.0 font ",12"

series(gil, n) = select(sim, sprintf("gil=%s,cpu_threads=%d", gil, n))
pyseries(n) = select(py, sprintf("gil=new,cpu_threads=%d", n))
old_offset(n) = old_x * (1 + 0.12 * (n - 1))     # side by side at the old GIL's place

plot alone_mean + x with lines lt 7 dt 3 title "alone + one interval", \
     series("new", 0) using (column(ms) / 1000):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorlines lt 5 ps 1.3 title "new GIL, alone", \
     series("new", 1) using (column(ms) / 1000):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorlines lt 1 title "new GIL, beside 1 CPU thread", \
     series("new", 2) using (column(ms) / 1000):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorlines lt 3 title "new GIL, beside 2 CPU threads", \
     select(sim, "gil=old") using (old_offset(column("cpu_threads"))):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorbars lt 2 title "old GIL: alone, beside 1, beside 2", \
     (have(py) ? pyseries(1) : series("new", 1)) using (column(ms) / 1000):(have(py) ? column("median_op_ms") : NaN):"min_op_ms":"max_op_ms" \
         with yerrorlines lt 1 dt 2 pt 6 title (have(py) ? "CPython, beside 1 CPU thread" : ""), \
     (have(py) ? pyseries(2) : series("new", 2)) using (column(ms) / 1000):(have(py) ? column("median_op_ms") : NaN):"min_op_ms":"max_op_ms" \
         with yerrorlines lt 3 dt 2 pt 10 title (have(py) ? "CPython, beside 2 CPU threads" : "")
