# 10-oversubscription.gp - the same OpenMP work run by P processes of T
# threads each: more workers than cores (chapter 10), with each of the two
# OpenMP runtimes side by side: the program as gcc builds it (GNU's
# libgomp) and as clang builds it (LLVM's libomp). Data:
# 10-oversubscription.tsv and, where clang was there to build it,
# 10-oversubscription-libomp.tsv (each names its runtime: openmp_runtime).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/10-oversubscription.svg"
data = datadir . "/10-oversubscription.tsv"
other = datadir . "/10-oversubscription-libomp.tsv"
both = have(other)
set output outfile
set terminal svg size 1000,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

cores = real(provenance(data, "cores"))
runtime(file) = sprintf("%s, built by %s", provenance(file, "openmp_runtime"), trim(provenance(file, "compiler")))
set title sprintf("Oversubscription: P processes x T OpenMP threads on %d cores\n%s", cores, machine(data))
set ylabel "wall time (s): median, min and max"
set xlabel "processes x threads (workers in all); hatched: more workers than cores"
set yrange [0:*]
set xrange [-0.6:5.6]
set boxwidth (both ? 0.38 : 0.6)
set key top left
set offsets 0, 0, graph 0.3, 0    # room above the tallest bar for the key

# The data files, each its own runtime; their first line is the header.
files = data . (both ? " " . other : "")
n = words(files)
set datafile columnheaders

# One group per row, labelled "PxT (W)"; the runtimes side by side in it,
# the first (gcc's) in blue, the second (clang's) in orange.
label(p, t, w) = sprintf("%dx%d (%d)", p, t, w)
side(i) = n == 1 ? 0 : i == 1 ? -0.2 : 0.2
# The median where the row's workers are (not) above the cores, else nothing.
within(over) = (column("workers") > cores) == over ? column("median_s") : NaN

plot data using 0:(NaN):xtic(label(column("processes"), column("threads"), column("workers"))) notitle, \
     for [i = 1:n] word(files, i) using ($0 + side(i)):(within(0)) \
         with boxes lt i fs solid 0.85 noborder title runtime(word(files, i)), \
     for [i = 1:n] word(files, i) using ($0 + side(i)):(within(1)) \
         with boxes lt i fs pattern 4 border lt i notitle, \
     for [i = 1:n] word(files, i) using ($0 + side(i)):"median_s":"min_s":"max_s" \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 title (i == 1 ? "fastest and slowest repeat" : "")
