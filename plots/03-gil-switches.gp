# 03-gil-switches.gp - hand-offs per second and slice length against the
# switch interval: the simulated new GIL beside CPython 3.x, the simulated
# old GIL (which has no interval: a line across) beside CPython 2.7 (chapter 3).
# Data: 03-gil-switches.tsv (simulation), 03-cpython-switches.tsv (the
# interpreters found; optional). All cores only.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-gil-switches.svg"
set terminal svg size 1100,600 dynamic font "DejaVu Sans,13" noenhanced background "white"
sim = datadir . "/03-gil-switches.tsv"
py = datadir . "/03-cpython-switches.tsv"
pyfile = have(py) ? py : sim
set output outfile

cores = int(provenance(sim, "cores"))
# A real interpreter with this GIL: the last one found (the GIL build of 3.13 when there is one).
python(gil) = !have(py) ? "" : system(sprintf("awk -F'\t' -v want='gil=%s' -f plots/select.awk '%s' | \
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; next } { p = $c } END { printf \"%%s\", p }'", gil, py))
label_new = python("new")
label_old = python("old")

pick(gil, threads, col) = (strcol("gil") eq gil && column("threads") == threads && column("cpus") == cores) ? column(col) : NaN
pypick(p, threads, col) = p ne "" && strcol("interpreter") eq p && column("threads") == threads && column("cpus") == cores ? column(col) : NaN
ms(col) = column("interval_us") / 1000.0

# The old GIL has no interval: its rate and slice are one number each, drawn across.
stats sim using (pick("old", 2, "switches_per_s")) name "old" nooutput
stats sim using (pick("old", 2, "median_slice_ms")) name "oldslice" nooutput
if (label_old ne "") {
    stats py using (pypick(label_old, 2, "switches_per_s")) name "pyold" nooutput
    stats py using (pypick(label_old, 2, "median_slice_ms")) name "pyoldslice" nooutput
} else {
    pyold_mean = NaN; pyoldslice_mean = NaN
}

set multiplot layout 1,2 title sprintf("The GIL changing hands: CPU-bound threads, all %d cores; simulation solid, real CPython dashed\n%s", cores, machine(sim))
set logscale xy
set xrange [0.35:70]
set xlabel "switch interval (ms); the old GIL has none"

set title "hand-offs per second"
set ylabel "hand-offs per second"
set yrange [10:1e8]
set ytics ("10" 10, "100" 100, "1,000" 1000, "10,000" 1e4, "100,000" 1e5, "1,000,000" 1e6)
set key top right font ",11" samplen 3 spacing 1.0
plot 1000 / x with lines lt 7 dt 3 title "one per interval", \
     old_mean with lines lt 2 title sprintf("simulation: old GIL, 2 threads (%.0f/s)", old_mean), \
     (label_old ne "" ? pyold_mean : NaN) with lines lt 2 dt 2 title (label_old ne "" ? sprintf("CPython %s, 2 threads (%.0f/s)", label_old, pyold_mean) : ""), \
     sim using (ms(0)):(pick("new", 2, "switches_per_s")) with linespoints lt 1 title "simulation: new GIL, 2 threads", \
     sim using (ms(0)):(pick("new", 4, "switches_per_s")) with linespoints lt 3 title "simulation: new GIL, 4 threads", \
     pyfile using (ms(0)):(pypick(label_new, 2, "switches_per_s")) with linespoints lt 1 dt 2 pt 6 title (label_new ne "" ? "CPython " . label_new . ", 2 threads" : ""), \
     pyfile using (ms(0)):(pypick(label_new, 4, "switches_per_s")) with linespoints lt 3 dt 2 pt 10 title (label_new ne "" ? "CPython " . label_new . ", 4 threads" : "")

set title "median slice (from one hand-off to the next)"
set ylabel "median slice (ms)"
set yrange [0.002:20000]
set ytics ("0.01" 0.01, "0.1" 0.1, "1" 1, "10" 10, "100" 100)
set key top left font ",11" samplen 3 spacing 1.0
plot x with lines lt 7 dt 3 title "slice = interval", \
     oldslice_mean with lines lt 2 title sprintf("simulation: old GIL, 2 threads (%.3f ms)", oldslice_mean), \
     (label_old ne "" ? pyoldslice_mean : NaN) with lines lt 2 dt 2 title (label_old ne "" ? sprintf("CPython %s, 2 threads (%.3f ms)", label_old, pyoldslice_mean) : ""), \
     sim using (ms(0)):(pick("new", 2, "median_slice_ms")) with linespoints lt 1 title "simulation: new GIL, 2 threads", \
     sim using (ms(0)):(pick("new", 4, "median_slice_ms")) with linespoints lt 3 title "simulation: new GIL, 4 threads", \
     pyfile using (ms(0)):(pypick(label_new, 2, "median_slice_ms")) with linespoints lt 1 dt 2 pt 6 title (label_new ne "" ? "CPython " . label_new . ", 2 threads" : ""), \
     pyfile using (ms(0)):(pypick(label_new, 4, "median_slice_ms")) with linespoints lt 3 dt 2 pt 10 title (label_new ne "" ? "CPython " . label_new . ", 4 threads" : "")
unset multiplot
