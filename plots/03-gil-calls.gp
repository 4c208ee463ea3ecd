# 03-gil-calls.gp - function calls per thread in a fixed time, stacked: under
# the GIL the total stays what one thread does alone (chapter 3).
# Data: 03-gil-calls.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-gil-calls.svg"
data = datadir . "/03-gil-calls.tsv"
set output outfile

duration = provenance(data, "duration_s")
set title sprintf("Calls each thread made in %s s, stacked: the GIL splits one thread's worth\n%s", duration, machine(data))
set xlabel "threads"
set ylabel "calls in all (millions); one segment per thread"
set xrange [-0.7:3.7]
set yrange [0:5.4]
set xtics ("1" 0, "4" 1, "8" 2, "16" 3)
set key top left horizontal maxrows 2

# Each row is one thread; stack the rows of a (gil, threads) run on each other.
slot(t) = t == 1 ? 0 : t == 4 ? 1 : t == 8 ? 2 : 3
xpos(gil, t) = slot(t) + (gil eq "new" ? -0.2 : 0.2)
last = ""
cum = 0
restart(key) = (key ne last ? (cum = 0, last = key, 0) : 0)
# Two shades alternate, so that neighbouring threads' segments are told apart.
shade(gil, i) = gil eq "new" ? (int(i) % 2 ? 0x0072B2 : 0x56B4E9) : (int(i) % 2 ? 0xD55E00 : 0xE69F00)

plot data using (restart(strcol("gil") . strcol("threads")), xpos(strcol("gil"), column("threads"))):\
              (c0 = cum, cum = cum + column("calls") / 1e6, (c0 + cum) / 2):(0.17):(column("calls") / 2e6):\
              (shade(strcol("gil"), column("thread"))) \
         with boxxyerror fs solid 0.9 border lc rgb "white" lc rgb variable notitle, \
     NaN with boxes fs solid lc rgb "#0072B2" title "new GIL: a segment per thread", \
     NaN with boxes fs solid lc rgb "#56B4E9" title "(shades alternate)", \
     NaN with boxes fs solid lc rgb "#D55E00" title "no GIL: a segment per thread", \
     NaN with boxes fs solid lc rgb "#E69F00" title "(shades alternate)"
