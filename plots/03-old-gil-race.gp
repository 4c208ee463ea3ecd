# 03-old-gil-race.gp - the old GIL on every core, run by run: hand-offs per
# second against the context switches per second the same run made, the
# simulation (its unit that run's turn on every core, timed around it)
# beside CPython 2.7 only counting its hand-offs, for 2 and
# 4 CPU-bound threads; the dashed lines through the origin have the median
# hand-offs per context switch as their slope (chapter 3, section 8).
# Data: 03-old-gil-race.tsv (side_by_side.py race).
load 'plots/style.gp'
set terminal svg size 1000,600 dynamic font "DejaVu Sans,13" noenhanced background "white"
if (!exists("outfile")) outfile = "plots/03-old-gil-race.svg"
race = datadir . "/03-old-gil-race.tsv"
set output outfile

runs = int(system(sprintf("awk -F'\t' '!/^#/ && $1 ~ /^[0-9]+$/ && $1 > n { n = $1 } END { print n + 0 }' '%s'", race)))
python = system(sprintf("sed -n 's/^# interpreter: .*(\\(.*\\)), old GIL$/\\1/p' '%s'", race))
set title sprintf("The old GIL on %s cores, %d runs: every run's hand-offs against its context switches\nsimulation (unit = that run's turn, mean of the cores) beside CPython %s, counting; %s", \
                  provenance(race, "cores"), runs, python, machine(race))
set xlabel "context switches per second, whole process (thousands)"
set ylabel "hand-offs per second (thousands)"
set xrange [0:*]
set yrange [0:*]
set key top left

run_row = 'strcol("run") ne "median" && strcol("run") ne "min" && strcol("run") ne "max"'
per_run(col) = @run_row ? column(col) / 1000 : NaN
slope(n, who) = real(system(sprintf("awk -F'\t' -v n=%d -v c='%s_handoffs_per_ctxsw' \
    '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == c) ci = i; h = 1; next } \
     $1 == \"median\" && $4 == n { print $ci }' '%s'", n, who, race)))
sim2 = slope(2, "sim"); real2 = slope(2, "real")
sim4 = slope(4, "sim"); real4 = slope(4, "real")

plot select(race, "threads=2") using (per_run("sim_ctxsw_per_s")):(per_run("sim_handoffs_per_s")) \
         with points lt 1 pt 7 title sprintf("simulation, 2 threads (median %.2f per switch)", sim2), \
     select(race, "threads=2") using (per_run("real_ctxsw_per_s")):(per_run("real_handoffs_per_s")) \
         with points lt 1 pt 6 title sprintf("CPython %s, 2 threads (%.2f)", python, real2), \
     select(race, "threads=4") using (per_run("sim_ctxsw_per_s")):(per_run("sim_handoffs_per_s")) \
         with points lt 2 pt 5 title sprintf("simulation, 4 threads (%.2f)", sim4), \
     select(race, "threads=4") using (per_run("real_ctxsw_per_s")):(per_run("real_handoffs_per_s")) \
         with points lt 2 pt 4 title sprintf("CPython %s, 4 threads (%.2f)", python, real4), \
     sim2 * x with lines lt 1 dt 2 lw 1 notitle, real2 * x with lines lt 1 dt 3 lw 1 notitle, \
     sim4 * x with lines lt 2 dt 2 lw 1 notitle, real4 * x with lines lt 2 dt 3 lw 1 notitle
