# 03-gil-timeline.gp - who held the GIL when, in the first 100 ms: new GIL
# with 2 and 4 threads, old GIL with 2, no GIL with 4 (chapter 3).
# Data: 03-timeline-{new-2,new-4,old-2,none-4}.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-gil-timeline.svg"
set terminal svg size 900,820 dynamic font "DejaVu Sans,13" noenhanced background "white"
set output outfile

first = datadir . "/03-timeline-new-2.tsv"
set multiplot layout 4,1 margins 0.1,0.97,0.08,0.88 spacing 0,0.08 title sprintf("Who holds the GIL: one bar per hold, CPU-bound threads, 5 ms interval\n%s", machine(first))
set xrange [0:100]
set ytics 1
set grid noytics
set key off
set lmargin 10

runs = "new-2 new-4 old-2 none-4"
names = "new GIL, 2 threads|new GIL, 4 threads|old GIL, 2 threads|no GIL, 4 threads: nothing to hold, each bar is a whole run"
do for [i = 1:4] {
    file = datadir . "/03-timeline-" . word(runs, i) . ".tsv"
    n = real(provenance(file, "threads"))
    set yrange [-0.6:n - 0.4]
    set ylabel "thread"
    set title sprintf("%s (%s hand-offs)", system("echo '" . names . "' | cut -d'|' -f" . i), provenance(file, "switch_number")) offset 0,-0.6
    if (i == 4) { set xlabel "time since start (ms)" offset 0,0.5 }
    plot file using (((column("acquire_ms") + column("release_ms")) / 2)):"thread":\
                    ((column("release_ms") - column("acquire_ms")) / 2):(0.35):(column("thread") + 1) \
         with boxxyerror fs solid 0.9 noborder lc variable
}
unset multiplot
