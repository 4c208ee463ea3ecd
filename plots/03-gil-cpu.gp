# 03-gil-cpu.gp - speed-up of CPU-bound work over serial: threads under each
# simulated GIL, processes, and each real CPython beside the mode it stands
# for, in the same colour, dashed (chapter 3).
# Data: 03-gil-cpu.tsv (simulation), 03-cpython-cpu.tsv (the interpreters
# found, rows labelled by interpreter and gil; optional). All cores only.
load 'plots/style.gp'
set terminal svg size 960,600 dynamic font "DejaVu Sans,13" noenhanced background "white"
if (!exists("outfile")) outfile = "plots/03-gil-cpu.svg"
sim = datadir . "/03-gil-cpu.tsv"
py = datadir . "/03-cpython-cpu.tsv"
set output outfile

cores = real(provenance(sim, "cores"))
# The interpreters in the data, each once, in the order they were run.
pythons = have(py) ? system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next } \
    !seen[$c[\"interpreter\"]]++ { printf \"%%s \", $c[\"interpreter\"] }' '%s'", py)) : ""
# One value of a file's one row that passes a filter ("mode=serial,cpus=2").
cell(file, filter, col) = real(system(sprintf("awk -F'\t' -v want='%s' -f plots/select.awk '%s' | \
    awk -F'\t' -v col='%s' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next } { print $c; exit }'", \
    filter, file, col)))
gil_of(p) = !have(py) ? "" : system(sprintf("awk -F'\t' -v want='interpreter=%s,mode=threads' -f plots/select.awk '%s' | \
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"gil\") c = i; next } { print $c; exit }'", p, py))
colour(gil) = gil eq "new" ? 1 : gil eq "old" ? 2 : 3
kind(gil) = gil eq "none" ? "no GIL" : gil . " GIL"

set title sprintf("CPU-bound work split among workers: speed-up over one thread, all %d cores\nsimulation solid, real CPython dashed; %s", cores, machine(sim))
set xlabel "workers (threads or processes)"
set ylabel "speed-up over serial (×)"
set logscale x 2
set xrange [0.8:20]
set yrange [0:cores + 1.6]
set xtics (1, 2, 4, 8, 16)
set key top center maxrows 5 width -3 font ",11"

pick(mode, gil, col) = (strcol("mode") eq mode && strcol("gil") eq gil) ? column(col) : NaN
ideal(x) = x < 1 ? NaN : x < cores ? x : cores
# The error bars: the speed-up over the serial median of the slowest and the
# fastest of the repeats (a speed-up is serial / time: max_s gives the low end).
serial_sim = lookup(sim, "median_s", "mode", "serial")
serial(p) = !have(py) ? 1 : cell(py, sprintf("interpreter=%s,cpus=%d,mode=serial", p, cores), "median_s")
# The processes of the first interpreter with the new GIL (else the first found).
first = word(pythons, 1)
if (words(pythons) > 0) { do for [i = words(pythons):1:-1] { if (gil_of(word(pythons, i)) eq "new") { first = word(pythons, i) } } }

plot ideal(x) with lines lt 7 dt 3 lw 1.5 title sprintf("ideal: min(workers, %d cores)", cores), \
     sim using "workers":(pick("threads", "none", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 3 title "simulation: threads, no GIL", \
     sim using "workers":(pick("processes", "-", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 5 title "simulation: processes", \
     sim using "workers":(pick("threads", "new", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 1 title "simulation: threads, new GIL", \
     sim using "workers":(pick("threads", "old", "speedup")):(serial_sim / column("max_s")):(serial_sim / column("min_s")) \
         with yerrorlines lt 2 title "simulation: threads, old GIL", \
     for [i = 1:words(pythons)] (!have(py) ? sim : select(py, sprintf("interpreter=%s,cpus=%d,mode=threads", word(pythons, i), cores))) \
         using "workers":"speedup":(serial(word(pythons, i)) / column("max_s")):(serial(word(pythons, i)) / column("min_s")) \
         with yerrorlines lt colour(gil_of(word(pythons, i))) dt 2 pt (4 + 2 * i) \
         title sprintf("CPython %s: threads (%s)", word(pythons, i), kind(gil_of(word(pythons, i)))), \
     (words(pythons) > 0 ? select(py, sprintf("interpreter=%s,cpus=%d,mode=processes", first, cores)) : sim) \
         using "workers":(words(pythons) > 0 ? column("speedup") : NaN):(serial(first) / column("max_s")):(serial(first) / column("min_s")) \
         with yerrorlines lt 5 dt 2 pt 12 title (words(pythons) > 0 ? sprintf("CPython %s: processes", first) : "")
