# 03-convoy.gp - the convoy effect: a short blocking operation alone and
# beside CPU-bound threads, against the switch interval (chapter 3).
# Data: 03-convoy.tsv (simulation), 03-cpython-convoy.tsv (optional).
load 'plots/style.gp'
set terminal svg size 1150,560 dynamic font "DejaVu Sans,13" noenhanced background "white"
if (!exists("outfile")) outfile = "plots/03-convoy.svg"
sim = datadir . "/03-convoy.tsv"
py = datadir . "/03-cpython-convoy.tsv"
pyfile = have(py) ? py : sim
set output outfile

pick(gil, n, col) = (strcol("gil") eq gil && column("cpu_threads") == n) ? column(col) : NaN
pypick(n) = have(py) ? pick("new", n, "median_op_ms") : NaN
ms(col) = column("interval_us") / 1000.0
stats sim using (pick("old", 1, "median_op_ms")) name "old1" nooutput
stats sim using (pick("new", 0, "median_op_ms")) name "alone" nooutput

set title sprintf("The convoy effect: a blocking operation (%s) beside CPU-bound threads\n%s", \
                  provenance(sim, "op"), machine(sim))
set xlabel "switch interval (ms)"
set ylabel "median time of one operation (ms)"
set logscale xy
set xrange [0.35:70]
set yrange [0.1:300]
set key outside right top

plot alone_mean + x with lines lt 7 dt 3 title "alone + one interval", \
     old1_mean with lines lt 2 dt 4 title sprintf("old GIL, beside 1 CPU thread (%.2f ms)", old1_mean), \
     sim using (ms(0)):(pick("new", 0, "median_op_ms")):(pick("new", 0, "min_op_ms")):(pick("new", 0, "max_op_ms")) \
         with yerrorlines lt 5 title "new GIL, alone", \
     sim using (ms(0)):(pick("new", 1, "median_op_ms")):(pick("new", 1, "min_op_ms")):(pick("new", 1, "max_op_ms")) \
         with yerrorlines lt 1 title "new GIL, beside 1 CPU thread", \
     sim using (ms(0)):(pick("new", 2, "median_op_ms")):(pick("new", 2, "min_op_ms")):(pick("new", 2, "max_op_ms")) \
         with yerrorlines lt 3 title "new GIL, beside 2 CPU threads", \
     pyfile using (ms(0)):(pypick(1)) with linespoints lt 1 dt 2 pt 6 title (have(py) ? "CPython, beside 1 CPU thread" : ""), \
     pyfile using (ms(0)):(pypick(2)) with linespoints lt 3 dt 2 pt 10 title (have(py) ? "CPython, beside 2 CPU threads" : "")
