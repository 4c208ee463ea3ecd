# 03-old-gil-arrival.gp - the old GIL's median slice, from one hand-off to the
# next, round by round, read at the lock by gil_trace.so: CPython 2.7 only
# counting its hand-offs, 2.7 noting the time of each (its timed run, at the
# lock and by its own clock), and the simulation with its units interpreting
# the countdown (--interpret) and as the chain of multiply-adds; 2 and 4
# CPU-bound threads side by side (chapter 3, section 8).
# Data: 03-old-gil-arrival.tsv (side_by_side.py arrival).
load 'plots/style.gp'
set terminal svg size 1100,560 dynamic font "DejaVu Sans,13" noenhanced background "white"
if (!exists("outfile")) outfile = "plots/03-old-gil-arrival.svg"
arrival = datadir . "/03-old-gil-arrival.tsv"
set output outfile

rounds = int(system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && $1 > n { n = $1 } END { print n + 0 }' '%s'", arrival)))
python = system(sprintf("sed -n 's/^# interpreter: .*(\\(.*\\)), old GIL$/\\1/p' '%s'", arrival))

round_row = 'strcol("round") ne "median" && strcol("round") ne "min" && strcol("round") ne "max"'
per_round(col) = @round_row && strcol(col) ne "-" ? column(col) : NaN

set multiplot layout 1,2 title sprintf("The old GIL's median slice, %d rounds, read at the lock (gil_trace.so): CPython %s beside the simulation\nfrom one hand-off to the next; %s", \
    rounds, python, machine(arrival))
set xlabel "round"
set ylabel "median slice (µs, log scale)"
set logscale y
set xrange [0.5:rounds + 0.5]
set xtics 1

do for [n in "2 4"] {
    set title sprintf("%s CPU-bound threads", n)
    if (n eq "2") { unset key } else { set key top left }   # one key, where no point lies under it
    plot select(arrival, "threads=" . n . ",source=interpreter") using "round":(per_round("slice_us")) \
             with linespoints lt 1 pt 7 title sprintf("CPython %s, counting", python), \
         select(arrival, "threads=" . n . ",source=interpreter_timed") using "round":(per_round("slice_us")) \
             with linespoints lt 2 pt 5 title sprintf("CPython %s, timed (at the lock)", python), \
         select(arrival, "threads=" . n . ",source=interpreter_timed") using "round":(per_round("own_slice_us")) \
             with points lt 2 pt 4 title "timed, by its own clock", \
         select(arrival, "threads=" . n . ",source=sim_interpret") using "round":(per_round("slice_us")) \
             with linespoints lt 3 pt 9 title "simulation, --interpret", \
         select(arrival, "threads=" . n . ",source=sim") using "round":(per_round("slice_us")) \
             with linespoints lt 4 pt 13 dt 2 title "simulation, chain"
}
unset multiplot
