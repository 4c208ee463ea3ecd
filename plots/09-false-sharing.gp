# 09-false-sharing.gp - two threads on two cores, each incrementing its own
# counter: the counters packed into one cache line, or padded to a line
# each; volatile, plain and atomic increments (chapter 9). Data:
# 09-false-sharing.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/09-false-sharing.svg"
data = datadir . "/09-false-sharing.tsv"
set output outfile

set title sprintf("False sharing: two threads, each with its own counter\n%s", machine(data))
set ylabel "ns per increment: median, min and max"
set xrange [-0.6:2.6]
set yrange [0:*]
set xtics ("volatile ++ (load, add, store)" 0, "plain ++ (compiled to one add)" 1, "atomic_fetch_add (lock add)" 2)
set boxwidth 0.36
set style fill solid 0.85 noborder
set key top left

# x position: the increment picks the group, the layout the side.
group(increment) = increment eq "volatile" ? 0 : increment eq "plain" ? 1 : 2
side(layout) = layout eq "packed" ? -0.19 : 0.19
pick(layout, col) = strcol("layout") eq layout ? column(col) : NaN

plot data using (group(strcol("increment")) + side("packed")):(pick("packed", "median_ns_per_op")) \
         with boxes lt 2 title "packed: both counters in one 64-byte cache line", \
     data using (group(strcol("increment")) + side("padded")):(pick("padded", "median_ns_per_op")) \
         with boxes lt 1 title "padded: each counter on a cache line of its own", \
     data using (group(strcol("increment")) + side(strcol("layout"))):"median_ns_per_op":"min_ns_per_op":"max_ns_per_op" \
         with yerrorbars lt 7 lw 1.5 pt 7 ps 0.35 title "fastest and slowest repeat", \
     data using (group(strcol("increment")) + side(strcol("layout"))):"median_ns_per_op":(sprintf("%.2f", column("median_ns_per_op"))) \
         with labels offset 2.8,0.9 notitle
