# 03-cores.gp - how far apart the cores of this machine run the same work,
# round by round: for each interpreter, its countdown's turn on the slowest
# core over its turn on the fastest (a thread pinned to each core in turn),
# and beside it the simulation's unit timed the same way right after; 1 is
# cores alike (chapter 3, section 8: why the simulation's --unit is a mean
# over the cores).
# Data: 03-cores.tsv (side_by_side.py cores).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/03-cores.svg"
cores_file = datadir . "/03-cores.tsv"
set output outfile

# The interpreters, in the order the rounds ran them.
pythons = system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && !seen[$3]++ { printf \"%%s \", $3 }' '%s'", cores_file))
rounds = int(system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && $1 > n { n = $1 } END { print n + 0 }' '%s'", cores_file)))
# slowest(who, col): "round value" lines, the largest `col` of each round of interpreter `who`.
slowest(who, col) = sprintf("< awk -F'\t' -v who='%s' -v c='%s' '/^#/ { next } \
    !h { for (i = 1; i <= NF; i++) if ($i == c) ci = i; h = 1; next } \
    $1 ~ /^[0-9]+$/ && $3 == who && $ci > m[$1] { m[$1] = $ci } \
    END { for (r in m) print r \"\t\" m[r] }' '%s' | sort -n", who, col, cores_file)

set title sprintf("The same work on the slowest core over the fastest, %d rounds\n(each core timed by a thread pinned there, one after the other; %s)", \
                  rounds, machine(cores_file))
set xlabel "round"
set ylabel "slowest core's time over the fastest's"
set xrange [0.5:rounds + 0.5]
set yrange [0.95:*]
set xtics 1
set key below maxrows 3
set bmargin 8

plot for [i = 1:words(pythons)] slowest(word(pythons, i), "turn_over_fastest") using 1:2 \
         with linespoints lt i title sprintf("CPython %s: a turn of the countdown", word(pythons, i)), \
     for [i = 1:words(pythons)] slowest(word(pythons, i), "unit_over_fastest") using 1:2 \
         with points lt 7 pt 6 title (i == 1 ? "the simulation's unit (timed after each)" : ""), \
     1 with lines lt 7 dt 3 lw 1 notitle
