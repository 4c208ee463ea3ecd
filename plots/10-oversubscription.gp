# 10-oversubscription.gp - the same OpenMP work run by P processes of T
# threads each: more workers than cores (chapter 10). Data: 10-oversubscription.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/10-oversubscription.svg"
data = datadir . "/10-oversubscription.tsv"
set output outfile

cores = real(provenance(data, "cores"))
set title sprintf("Oversubscription: P processes x T OpenMP threads on %d cores (built with %s)\n%s", \
                  cores, provenance(data, "compiler"), machine(data))
set ylabel "wall time (s): median, min and max"
set xlabel "processes x threads (workers in all)"
set yrange [0:*]
set xrange [-0.6:5.6]
set boxwidth 0.6
set style fill solid 0.85 noborder
set key top left

stats data using "median_s" nooutput
# One bar per row, labelled "PxT (W)"; workers above the cores in orange.
label(p, t, w) = sprintf("%dx%d (%d)", p, t, w)
colour(w) = w > cores ? 0xD55E00 : 0x0072B2
plot data using 0:"median_s":(colour(column("workers"))):xtic(label(column("processes"), column("threads"), column("workers"))) \
         with boxes lc rgb variable notitle, \
     NaN with boxes lt 1 title sprintf("workers <= %d cores", cores), \
     NaN with boxes lt 2 title sprintf("workers > %d cores", cores), \
     data using 0:"median_s":"min_s":"max_s" with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 title "fastest and slowest repeat"
