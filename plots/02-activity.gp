# 02-activity.gp - the activity plot: when each of 4 CPU-bound threads was
# running, on one core and on all cores (chapter 2).
# Data: 02-activity-1core.tsv, 02-activity-allcores.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/02-activity.svg"
set terminal svg size 900,560 dynamic font "DejaVu Sans,13" noenhanced background "white"
set output outfile

one = datadir . "/02-activity-1core.tsv"
all = datadir . "/02-activity-allcores.tsv"
set multiplot layout 2,1 title sprintf("Who runs when: 4 CPU-bound threads, one bar per stretch on a CPU\n%s", machine(one))
set ytics 1
set grid noytics
set key off
set lmargin 10
set xrange [0:60]

do for [file in one . " " . all] {
    n = real(provenance(file, "threads"))
    set yrange [-0.6:n - 0.4]
    set ylabel "thread"
    one_core = provenance(file, "cpus") eq "1"
    set title sprintf("%s %s: concurrency%s", provenance(file, "cpus"), one_core ? "core" : "cores", \
                      one_core ? " (time slices)" : " and parallelism")
    if (file eq all) { set xlabel "time since start (ms)" }
    plot file using (((column("start_ms") + column("end_ms")) / 2)):"thread":\
                    ((column("end_ms") - column("start_ms")) / 2):(0.35):(column("thread") + 1) \
         with boxxyerror fs solid 0.9 noborder lc variable
}
unset multiplot
