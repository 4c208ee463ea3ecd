# 03-new-gil-sched.gp - the new GIL on one core, round by round, from the
# kernel's record: the share of slices of three scheduler ticks (longer than
# two switch intervals) in each interpreter's counting and timed runs and in
# the simulation's. Over a half, the run's median slice is three ticks
# (chapter 3, section 8).
# Data: 03-new-gil-sched.tsv (side_by_side.py sched).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-new-gil-sched.svg"
sched_file = datadir . "/03-new-gil-sched.tsv"
set output outfile

pythons = system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && $3 != \"-\" && !seen[$3]++ { printf \"%%s \", $3 }' '%s'", sched_file))
rounds = int(system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && $1 > n { n = $1 } END { print n + 0 }' '%s'", sched_file)))
# share(who, source): "round long_share" lines of interpreter `who` ("-": the simulation), from `source`.
share(who, source) = sprintf("< awk -F'\t' -v who='%s' -v s='%s' '/^#/ { next } \
    !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next } \
    $1 ~ /^[0-9]+$/ && $3 == who && $4 == s { print $1 \"\t\" $c[\"long_share\"] }' '%s'", who, source, sched_file)

set title sprintf("Two CPU-bound threads on one core, new GIL, 5 ms interval, %d rounds:\nthe share of slices of three scheduler ticks, from the kernel's record (%s)", \
                  rounds, machine(sched_file))
set xlabel "round"
set ylabel "slices of three ticks (share of the run's)"
set xrange [0.5:rounds + 0.5]
set yrange [0:1.05]
set xtics 1
set ytics 0, 0.25

set key below maxrows 2 width -2 font ",11"
set bmargin 7
set label 1 "over this line, the run's median slice is three ticks" at graph 0.01, first 0.585 left tc rgb "#666666"

plot for [i = 1:words(pythons)] share(word(pythons, i), "interpreter_timed") using 1:2 \
         with linespoints lt i title sprintf("CPython %s, timed run", word(pythons, i)), \
     for [i = 1:words(pythons)] share(word(pythons, i), "interpreter_count") using 1:2 \
         with linespoints lt i dt 2 pt 6 title sprintf("CPython %s, counting run", word(pythons, i)), \
     share("-", "sim") using 1:2 with linespoints lt 7 pt 4 ps 1.3 title "simulation (gil_switches)", \
     0.5 with lines lt 7 dt 3 lw 1 notitle
