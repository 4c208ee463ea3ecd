# 03-convoy-hold.gp - the convoy beside two CPU-bound threads, round by round:
# the median operation under each interpreter with the new GIL, and under the
# simulation right after it, given either the Python the interpreter runs
# between two calls (--between) or the whole time its I/O thread holds the
# GIL between them, from a trace (--hold). One interval or two, and which
# (chapter 3, section 8).
# Data: 03-convoy-hold.tsv (side_by_side.py hold).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-convoy-hold.svg"
hold_file = datadir . "/03-convoy-hold.tsv"
set output outfile

pythons = system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && !seen[$3]++ { printf \"%%s \", $3 }' '%s'", hold_file))
rounds = int(system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && $1 > n { n = $1 } END { print n + 0 }' '%s'", hold_file)))
interval_ms = 5   # side_by_side.py hold's interval (INTERVAL_MS)
# ops(who, source): "round median_op_ms" lines of interpreter `who`, from `source`'s runs.
ops(who, source) = sprintf("< awk -F'\t' -v who='%s' -v s='%s' '/^#/ { next } \
    !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next } \
    $1 ~ /^[0-9]+$/ && $3 == who && $4 == s { print $1 \"\t\" $c[\"median_op_ms\"] }' '%s'", who, source, hold_file)

set title sprintf("The convoy beside two CPU-bound threads, %d rounds: the median operation\n(0.2 ms sleeps, 5 ms interval; the simulation given the interpreter's hold of the GIL\nbetween calls from a trace, or its Python between calls timed alone; %s)", \
                  rounds, machine(hold_file))
set xlabel "round"
set ylabel "median operation (ms)"
set xrange [0.5:rounds + 0.5]
set yrange [0:*]
set xtics 1
set ytics 0, 2.5

set key below maxrows 2 width -2 font ",11"
set bmargin 7
set label 1 "the sleep and one interval" at graph 0.99, first interval_ms + 0.2 - 0.5 right tc rgb "#666666"
set label 2 "the sleep and two intervals" at graph 0.99, first 2 * interval_ms + 0.2 + 1.2 right tc rgb "#666666"

plot for [i = 1:words(pythons)] ops(word(pythons, i), "interpreter") using 1:2 \
         with linespoints lt i title sprintf("CPython %s", word(pythons, i)), \
     for [i = 1:words(pythons)] ops(word(pythons, i), "sim_hold") using 1:2 \
         with points lt i pt 6 ps 1.6 title sprintf("sim. --hold, %s's hold", word(pythons, i)), \
     for [i = 1:words(pythons)] ops(word(pythons, i), "sim_between") using 1:2 \
         with linespoints lt i dt 2 pt 4 title sprintf("sim. --between, %s's Python", word(pythons, i)), \
     interval_ms + 0.2 with lines lt 7 dt 3 lw 1 notitle, \
     2 * interval_ms + 0.2 with lines lt 7 dt 3 lw 1 notitle
