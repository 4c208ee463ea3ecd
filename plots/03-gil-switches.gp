# 03-gil-switches.gp - hand-offs per second and slice length against the
# switch interval, simulation and CPython (chapter 3).
# Data: 03-gil-switches.tsv (simulation), 03-cpython-switches.tsv (optional).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-gil-switches.svg"
set terminal svg size 1100,520 dynamic font "DejaVu Sans,13" noenhanced background "white"
sim = datadir . "/03-gil-switches.tsv"
py = datadir . "/03-cpython-switches.tsv"
pyfile = have(py) ? py : sim
set output outfile

pick(gil, threads, col) = (strcol("gil") eq gil && column("threads") == threads) ? column(col) : NaN
pypick(threads, col) = have(py) ? pick("new", threads, col) : NaN
ms(col) = column("interval_us") / 1000.0

# The old GIL has no interval: its rate is one number, drawn across.
stats sim using (strcol("gil") eq "old" && column("threads") == 2 ? column("switches_per_s") : NaN) name "old" nooutput
stats sim using (strcol("gil") eq "old" && column("threads") == 2 ? column("median_slice_ms") : NaN) name "oldslice" nooutput

set multiplot layout 1,2 title sprintf("The GIL changing hands: CPU-bound threads\n%s", machine(sim))
set logscale xy
set xrange [0.35:70]
set xlabel "switch interval (ms)"
set key bottom left

set title "hand-offs per second"
set ylabel "hand-offs per second"
set yrange [10:1000000]
set key top right
plot 1000 / x with lines lt 7 dt 3 title "one per interval", \
     old_mean with lines lt 2 dt 4 title sprintf("old GIL, 2 threads (%.0f/s)", old_mean), \
     sim using (ms(0)):(pick("new", 2, "switches_per_s")) with linespoints lt 1 title "new GIL, 2 threads", \
     sim using (ms(0)):(pick("new", 4, "switches_per_s")) with linespoints lt 3 title "new GIL, 4 threads", \
     pyfile using (ms(0)):(pypick(2, "switches_per_s")) with linespoints lt 1 dt 2 pt 6 title (have(py) ? "CPython, 2 threads" : ""), \
     pyfile using (ms(0)):(pypick(4, "switches_per_s")) with linespoints lt 3 dt 2 pt 10 title (have(py) ? "CPython, 4 threads" : "")

set title "median slice (one thread's hold)"
set ylabel "median slice (ms)"
set yrange [0.02:100]
set key bottom right
plot x with lines lt 7 dt 3 title "slice = interval", \
     oldslice_mean with lines lt 2 dt 4 title sprintf("old GIL, 2 threads (%.3f ms)", oldslice_mean), \
     sim using (ms(0)):(pick("new", 2, "median_slice_ms")) with linespoints lt 1 title "new GIL, 2 threads", \
     sim using (ms(0)):(pick("new", 4, "median_slice_ms")) with linespoints lt 3 title "new GIL, 4 threads", \
     pyfile using (ms(0)):(pypick(2, "median_slice_ms")) with linespoints lt 1 dt 2 pt 6 title (have(py) ? "CPython, 2 threads" : ""), \
     pyfile using (ms(0)):(pypick(4, "median_slice_ms")) with linespoints lt 3 dt 2 pt 10 title (have(py) ? "CPython, 4 threads" : "")
unset multiplot
