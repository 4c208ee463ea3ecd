# 03-convoy.gp - the convoy effect: a short blocking operation alone and
# beside CPU-bound threads, against the switch interval; each simulated GIL
# beside the real CPython it stands for (chapter 3).
# Data: 03-convoy.tsv (simulation), 03-cpython-convoy.tsv (the interpreters
# found; optional). All cores only. The old GIL and no GIL have no
# interval: their operations stand at the left, apart.
load 'plots/style.gp'
set terminal svg size 960,620 dynamic font "DejaVu Sans,13" noenhanced background "white"
if (!exists("outfile")) outfile = "plots/03-convoy.svg"
sim = datadir . "/03-convoy.tsv"
py = datadir . "/03-cpython-convoy.tsv"
set output outfile

cores = int(provenance(sim, "cores"))
# A real interpreter with this GIL: the last one found (the GIL build of 3.13 when there is one).
python(gil) = !have(py) ? "" : system(sprintf("awk -F'\t' -v want='gil=%s' -f plots/select.awk '%s' | \
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; next } { p = $c } END { printf \"%%s\", p }'", gil, py))
label_new = python("new")
label_old = python("old")
label_none = python("none")

ms = "interval_us"
old_x = 0.13     # where the old GIL's operations stand
none_x = 0.24    # and those without a GIL
stats select(sim, sprintf("gil=new,cpu_threads=0,cpus=%d", cores)) using "median_op_ms" name "alone" nooutput

set title sprintf("The convoy effect: a blocking operation (%s) beside CPU-bound threads, all %d cores\nsimulation filled, real CPython open and dashed; %s", \
                  provenance(sim, "op"), cores, machine(sim))
set xlabel "switch interval (ms); the old GIL and no GIL have none"
set ylabel "time of one operation (ms): median, min and max"
set logscale xy
set xrange [0.1:80]
set yrange [0.1:30000]
set xtics ("old" old_x, "none" none_x, "0.5" 0.5, "1" 1, "5" 5, "10" 10, "50" 50)

set key top left Left reverse samplen 2 spacing 1.0 font ",11" maxrows 7

series(gil, n) = select(sim, sprintf("gil=%s,cpu_threads=%d,cpus=%d", gil, n, cores))
pyseries(p, n) = p ne "" ? select(py, sprintf("interpreter=%s,cpu_threads=%d,cpus=%d", p, n, cores)) : sim
pyrows(p) = p ne "" ? select(py, sprintf("interpreter=%s,cpus=%d", p, cores)) : sim
shown(p) = p ne ""
# Side by side at the old GIL's and no GIL's places: the simulation, then CPython.
beside(x, n, k) = x * (1 + 0.07 * (2 * n + k - 2))

plot alone_mean + x with lines lt 7 dt 3 title "alone + one interval", \
     series("new", 0) using (column(ms) / 1000):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorlines lt 5 ps 1.3 title "simulation: new GIL, alone", \
     series("new", 1) using (column(ms) / 1000):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorlines lt 1 title "simulation: new GIL, beside 1 CPU thread", \
     series("new", 2) using (column(ms) / 1000):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorlines lt 6 title "simulation: new GIL, beside 2 CPU threads", \
     pyseries(label_new, 1) using (column(ms) / 1000):(shown(label_new) ? column("median_op_ms") : NaN):"min_op_ms":"max_op_ms" \
         with yerrorlines lt 1 dt 2 pt 6 title (shown(label_new) ? "CPython " . label_new . ", beside 1 CPU thread" : ""), \
     pyseries(label_new, 2) using (column(ms) / 1000):(shown(label_new) ? column("median_op_ms") : NaN):"min_op_ms":"max_op_ms" \
         with yerrorlines lt 6 dt 2 pt 10 title (shown(label_new) ? "CPython " . label_new . ", beside 2 CPU threads" : ""), \
     select(sim, sprintf("gil=old,cpus=%d", cores)) using (beside(old_x, column("cpu_threads"), 0)):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorbars lt 2 pt 5 title "simulation: old GIL (alone, beside 1, beside 2)", \
     pyrows(label_old) using (beside(old_x, column("cpu_threads"), 1)):(shown(label_old) ? column("median_op_ms") : NaN):"min_op_ms":"max_op_ms" \
         with yerrorbars lt 2 pt 4 title (shown(label_old) ? "CPython " . label_old . " (the same three)" : ""), \
     select(sim, sprintf("gil=none,cpus=%d", cores)) using (beside(none_x, column("cpu_threads"), 0)):"median_op_ms":"min_op_ms":"max_op_ms" \
         with yerrorbars lt 3 pt 9 title "simulation: no GIL (alone, beside 1, beside 2)", \
     pyrows(label_none) using (beside(none_x, column("cpu_threads"), 1)):(shown(label_none) ? column("median_op_ms") : NaN):"min_op_ms":"max_op_ms" \
         with yerrorbars lt 3 pt 8 title (shown(label_none) ? "CPython " . label_none . " (the same three)" : "")
