# 05-python-start.gp - what starting a worker costs in real CPython under each
# start method: one Process started and joined, a pool of workers started,
# used once and shut down, and (for scale) the bare interpreter started and
# ended; one colour per interpreter found (chapter 5).
# Data: 05-python-start.tsv (pool_lessons.py start).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/05-python-start.svg"
data = datadir . "/05-python-start.tsv"
set output outfile

workers = real(provenance(data, "workers"))
interps = system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) if ($i == \"interpreter\") c = i; h = 1; next } !seen[$c]++ { printf \"%%s \", $c }' '%s'", data))
n = words(interps)

set title sprintf("Starting workers in real CPython, by start method (median, min-max)\n%s", machine(data))
set ylabel "time (ms), log scale"
set logscale y
set format y "%g"
set xrange [-0.6:6.6]
set xtics ("python -c pass" 0, "Process\nfork" 1, sprintf("pool of %d\nfork", workers) 2, \
           "Process\nspawn" 3, sprintf("pool of %d\nspawn", workers) 4, \
           "Process\nforkserver" 5, sprintf("pool of %d\nforkserver", workers) 6)
set key top left
set bmargin 5
slot(what, method) = what eq "interpreter" ? 0 : \
    (method eq "fork" ? 1 : method eq "spawn" ? 3 : 5) + (what eq "pool" ? 1 : 0)
offset(k) = (k - (n + 1) / 2.0) * 0.22

plot for [k = 1:n] select(data, "interpreter=" . word(interps, k)) \
         using (slot(strcol("what"), strcol("method")) + offset(k)):"median_ms":"min_ms":"max_ms" \
         with yerrorbars lt k pt 7 ps 1.2 title "CPython " . word(interps, k)
