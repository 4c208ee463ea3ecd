# 03-old-vs-new.gp - CPU-bound threads under the old and the new GIL, on all
# cores and on one core: time relative to serial (chapter 3).
# Data: 03-gil-cpu.tsv (all cores), 03-gil-cpu-1core.tsv (one core).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-old-vs-new.svg"
all = datadir . "/03-gil-cpu.tsv"
one = datadir . "/03-gil-cpu-1core.tsv"
set output outfile

cores = provenance(all, "cores")
set title sprintf("Old GIL against new GIL: CPU-bound threads, time relative to serial\n%s", machine(all))
set ylabel "wall time / serial wall time (1 = as fast as one thread)"
set xrange [-0.6:3.6]
set yrange [0:*]
set xtics ("2 threads\n" . cores . " cores" 0, "4 threads\n" . cores . " cores" 1, \
           "2 threads\n1 core" 2, "4 threads\n1 core" 3)
set key top right
set bmargin 4
set boxwidth 0.36
set style fill solid 0.85 noborder

# x position: the thread count picks the group, the GIL the side.
group(n, file_offset) = (n == 2 ? 0 : n == 4 ? 1 : NaN) + file_offset
bar(gil, offset) = (strcol("mode") eq "threads" && strcol("gil") eq gil) ? 1 / column("speedup") : NaN
side(gil) = gil eq "new" ? -0.19 : 0.19
# The error bars: the fastest and the slowest repeat over the serial median.
serial_all = lookup(all, "median_s", "mode", "serial")
serial_one = lookup(one, "median_s", "mode", "serial")
low(gil, serial) = (strcol("mode") eq "threads" && strcol("gil") eq gil) ? column("min_s") / serial : NaN
high(gil, serial) = (strcol("mode") eq "threads" && strcol("gil") eq gil) ? column("max_s") / serial : NaN

plot 1 with lines lt 7 dt 3 title "serial", \
     all using (group(column("workers"), 0) + side("new")):(bar("new", 0)) with boxes lt 1 title "new GIL", \
     all using (group(column("workers"), 0) + side("old")):(bar("old", 0)) with boxes lt 2 title "old GIL", \
     one using (group(column("workers"), 2) + side("new")):(bar("new", 0)) with boxes lt 1 notitle, \
     one using (group(column("workers"), 2) + side("old")):(bar("old", 0)) with boxes lt 2 notitle, \
     all using (group(column("workers"), 0) + side("new")):(bar("new", 0)):(low("new", serial_all)):(high("new", serial_all)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 title "fastest and slowest repeat", \
     all using (group(column("workers"), 0) + side("old")):(bar("old", 0)):(low("old", serial_all)):(high("old", serial_all)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     one using (group(column("workers"), 2) + side("new")):(bar("new", 0)):(low("new", serial_one)):(high("new", serial_one)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle, \
     one using (group(column("workers"), 2) + side("old")):(bar("old", 0)):(low("old", serial_one)):(high("old", serial_one)) \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 notitle
