# 03-old-vs-new.gp - CPU-bound threads under the old and the new GIL, on all
# cores and on one core: time relative to serial, each simulated GIL beside
# the real CPython it stands for (chapter 3).
# Data: 03-gil-cpu.tsv (all cores), 03-gil-cpu-1core.tsv (one core),
# 03-cpython-cpu.tsv (the interpreters, cpus 2 and 1; optional).
load 'plots/style.gp'
set terminal svg size 960,580 dynamic font "DejaVu Sans,13" noenhanced background "white"
if (!exists("outfile")) outfile = "plots/03-old-vs-new.svg"
all = datadir . "/03-gil-cpu.tsv"
one = datadir . "/03-gil-cpu-1core.tsv"
py = datadir . "/03-cpython-cpu.tsv"
set output outfile

cores = int(provenance(all, "cores"))
# The real interpreters: the last one found with the new GIL (the GIL build
# of 3.13 when there is one), and the one with the old GIL.
python(gil) = !have(py) ? "" : system(sprintf("awk -F'\t' -v want='gil=%s,mode=threads' -f plots/select.awk '%s' | \
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; next } { p = $c } END { printf \"%%s\", p }'", gil, py))
new_py = python("new")
old_py = python("old")

set title sprintf("Old GIL against new GIL: CPU-bound threads, time relative to serial\nsimulation solid, real CPython pale (%s, %s); %s", \
                  new_py eq "" ? "no 3.x" : new_py, old_py eq "" ? "no 2.7" : old_py, machine(all))
set ylabel "wall time / serial wall time (1 = as fast as one thread)"
set xrange [-0.6:3.6]
set yrange [0:*]
set xtics ("2 threads\n" . cores . " cores" 0, "4 threads\n" . cores . " cores" 1, \
           "2 threads\n1 core" 2, "4 threads\n1 core" 3)
set key top right
set bmargin 4
set boxwidth 0.18

# x position: the thread count picks the group, the file the half, the bar its place.
group(n, half) = (n == 2 ? 0 : n == 4 ? 1 : NaN) + half
place(k) = -0.3 + 0.2 * k        # 0 sim new, 1 CPython new, 2 sim old, 3 CPython old
threads_of(gil) = strcol("mode") eq "threads" && strcol("gil") eq gil
bar(gil) = threads_of(gil) ? 1 / column("speedup") : NaN
# The error bars: the fastest and the slowest repeat over the serial median.
serial_all = lookup(all, "median_s", "mode", "serial")
serial_one = lookup(one, "median_s", "mode", "serial")
serial_py(p, c) = !have(py) || p eq "" ? 1 : real(system(sprintf("awk -F'\t' -v want='interpreter=%s,cpus=%d,mode=serial' -f plots/select.awk '%s' | \
    awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == \"median_s\") c = i; next } { print $c; exit }'", p, c, py)))
low(gil, serial) = threads_of(gil) ? column("min_s") / serial : NaN
high(gil, serial) = threads_of(gil) ? column("max_s") / serial : NaN
serial_new_all = serial_py(new_py, cores)
serial_new_one = serial_py(new_py, 1)
serial_old_all = serial_py(old_py, cores)
serial_old_one = serial_py(old_py, 1)
rows(p, c) = have(py) && p ne "" ? select(py, sprintf("interpreter=%s,cpus=%d", p, c)) : all
shown(p) = have(py) && p ne ""

plot 1 with lines lt 7 dt 3 title "serial", \
     all using (group(column("workers"), 0) + place(0)):(bar("new")) with boxes lt 1 fs solid 0.85 noborder title "simulation: new GIL", \
     rows(new_py, cores) using (group(column("workers"), 0) + place(1)):(shown(new_py) ? bar("new") : NaN) \
         with boxes lt 1 fs solid 0.35 border title (shown(new_py) ? "CPython " . new_py . " (new GIL)" : ""), \
     all using (group(column("workers"), 0) + place(2)):(bar("old")) with boxes lt 2 fs solid 0.85 noborder title "simulation: old GIL", \
     rows(old_py, cores) using (group(column("workers"), 0) + place(3)):(shown(old_py) ? bar("old") : NaN) \
         with boxes lt 2 fs solid 0.35 border title (shown(old_py) ? "CPython " . old_py . " (old GIL)" : ""), \
     one using (group(column("workers"), 2) + place(0)):(bar("new")) with boxes lt 1 fs solid 0.85 noborder notitle, \
     rows(new_py, 1) using (group(column("workers"), 2) + place(1)):(shown(new_py) ? bar("new") : NaN) \
         with boxes lt 1 fs solid 0.35 border notitle, \
     one using (group(column("workers"), 2) + place(2)):(bar("old")) with boxes lt 2 fs solid 0.85 noborder notitle, \
     rows(old_py, 1) using (group(column("workers"), 2) + place(3)):(shown(old_py) ? bar("old") : NaN) \
         with boxes lt 2 fs solid 0.35 border notitle, \
     all using (group(column("workers"), 0) + place(0)):(bar("new")):(low("new", serial_all)):(high("new", serial_all)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 title "fastest and slowest repeat", \
     all using (group(column("workers"), 0) + place(2)):(bar("old")):(low("old", serial_all)):(high("old", serial_all)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     one using (group(column("workers"), 2) + place(0)):(bar("new")):(low("new", serial_one)):(high("new", serial_one)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     one using (group(column("workers"), 2) + place(2)):(bar("old")):(low("old", serial_one)):(high("old", serial_one)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     rows(new_py, cores) using (group(column("workers"), 0) + place(1)):(shown(new_py) ? bar("new") : NaN):(low("new", serial_new_all)):(high("new", serial_new_all)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     rows(old_py, cores) using (group(column("workers"), 0) + place(3)):(shown(old_py) ? bar("old") : NaN):(low("old", serial_old_all)):(high("old", serial_old_all)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     rows(new_py, 1) using (group(column("workers"), 2) + place(1)):(shown(new_py) ? bar("new") : NaN):(low("new", serial_new_one)):(high("new", serial_new_one)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     rows(old_py, 1) using (group(column("workers"), 2) + place(3)):(shown(old_py) ? bar("old") : NaN):(low("old", serial_old_one)):(high("old", serial_old_one)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle
