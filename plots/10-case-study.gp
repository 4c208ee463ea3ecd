# 10-case-study.gp - generating synthetic users five ways: wall time and
# peak memory of the process tree against the number of users (chapter 10).
# The memory is a range, from the kernel's high-water marks: its top adds
# up every process's own peak (peak_sum_mib, above the tree's peak), its
# bottom is the largest process's peak (peak_largest_mib, below it).
# Data: 10-case-study.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/10-case-study.svg"
data = datadir . "/10-case-study.tsv"
set output outfile
set terminal svg size 1150,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

# One series (method, gil) as its own stream, so that it is drawn as one line.
rows(m, g) = sprintf("< awk -F'\t' -v m=%s -v g=%s " . \
    "'/^#/ { next } !n++ { for (i = 1; i <= NF; i++) h[$i] = i; print; next } " . \
    "$h[\"method\"] == m && $h[\"gil\"] == g' '%s'", m, g, data)
series = "serial:- threads:new threads:none process-per-user:- process-pool:- hybrid:new hybrid:none"
m_of(s) = s[1:strstrt(s, ":") - 1]
g_of(s) = s[strstrt(s, ":") + 1:]
lt_of(s) = m_of(s) eq "serial" ? 7 : m_of(s) eq "threads" ? 1 : m_of(s) eq "process-per-user" ? 2 : m_of(s) eq "process-pool" ? 5 : 3
dt_of(s) = g_of(s) eq "none" ? 2 : 1
title_of(s) = m_of(s) . (g_of(s) eq "-" ? "" : g_of(s) eq "new" ? " (GIL)" : " (no GIL)")

set multiplot layout 1,2 title sprintf("Synthetic users: one API call and some CPU work each (%s workers)\n%s", \
                                       provenance(data, "workers"), machine(data))
set xlabel "users"
set logscale xy 10
set xrange [15:700]
set xtics (20, 100, 500)
set format y "%g"
set key top left

set title "wall time"
set ylabel "seconds, median with min-max"
plot for [s in series] rows(m_of(s), g_of(s)) using "users":"median_s":"min_s":"max_s" \
         with yerrorlines lt lt_of(s) dt dt_of(s) title title_of(s)

set title "peak memory: the processes' peaks added up (line), down to the largest (bar)"
set ylabel "MiB (resident)"
unset key
plot for [s in series] rows(m_of(s), g_of(s)) using "users":"peak_sum_mib":"peak_largest_mib":"peak_sum_mib" \
         with yerrorlines lt lt_of(s) dt dt_of(s)
unset multiplot
