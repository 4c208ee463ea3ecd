# 04-python-calls.gp - calls of a small function in a fixed time, one stacked
# segment per worker: N threads of one interpreter, then N processes of a
# multiprocessing.Pool, for each interpreter found (chapter 4; the notes'
# call-counting experiment). Under a GIL, N threads share one thread's
# calls; N processes each make their own, up to the core count.
# Data: 04-python-calls.tsv (io_cpu_python.py calls).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/04-python-calls.svg"
data = datadir . "/04-python-calls.tsv"
set output outfile
set terminal svg size 1100,560 dynamic font "DejaVu Sans,13" noenhanced background "white"

duration = provenance(data, "duration_s")
interps = system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; h = 1; next } !seen[$c]++ { printf \"%%s \", $c }' '%s'", data))
stats data using "calls" nooutput
# The tallest stack, for one y range in every panel.
tallest = real(system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next } { s[$c[\"interpreter\"] $c[\"mode\"] $c[\"workers\"]] += $c[\"calls\"] } END { for (k in s) if (s[k] > m) m = s[k]; print m }' '%s'", data)))

set multiplot layout 1,words(interps) title sprintf("Calls each worker made in %s s, stacked: threads share one GIL, processes have one each\n%s", \
    duration, machine(data))
set ylabel "calls in all (millions); one segment per worker"
set yrange [0:tallest / 1e6 * 1.25]
set xrange [-0.7:6.2]
set xtics ("1" 0, "2" 1, "4" 2, "1" 3.5, "2" 4.5, "4" 5.5)
set xlabel "threads               processes"
set key top left horizontal maxrows 2

slot(m, n) = (n == 1 ? 0 : n == 2 ? 1 : 2) + (m eq "processes" ? 3.5 : 0)
last = ""
cum = 0
restart(key) = (key ne last ? (cum = 0, last = key, 0) : 0)
shade(m, i) = m eq "threads" ? (int(i) % 2 ? 0x0072B2 : 0x56B4E9) : (int(i) % 2 ? 0xD55E00 : 0xE69F00)

do for [k = 1:words(interps)] {
    ip = word(interps, k)
    set title sprintf("CPython %s (%s GIL)", ip, ip[strlen(ip):] eq "t" ? "no" : "with a")
    plot select(data, "interpreter=" . ip) using (restart(strcol("mode") . strcol("workers")), slot(strcol("mode"), column("workers"))):\
              (c0 = cum, cum = cum + column("calls") / 1e6, (c0 + cum) / 2):(0.35):(column("calls") / 2e6):\
              (shade(strcol("mode"), column("worker"))) \
             with boxxyerror fs solid 0.9 border lc rgb "white" lc rgb variable notitle, \
         NaN with boxes fs solid lc rgb "#0072B2" title "threads", \
         NaN with boxes fs solid lc rgb "#D55E00" title "processes (Pool.starmap)"
    unset key
    unset ylabel
}
unset multiplot
