# 11-delay.gp - what a network's latency does to small tasks and to
# chunking: chapter 5's chunk sweep over MPI between two hosts (network
# namespaces) with a delay on the cable, 0 to 10 ms each way (chapter 11).
# Data: 11-chunks.tsv (rows delay-D) and, for the one-way time an 8-byte
# message took at each delay, 11-pingpong.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/11-delay.svg"
data = datadir . "/11-chunks.tsv"
pp = datadir . "/11-pingpong.tsv"
set output outfile

# The cable of the delayed runs, from their provenance ("TUN devices and
# link_delay, delay 1ms each way (...)"), without its delay.
cable = system(sprintf("sed -n 's/^# companion link: //p' '%s' | grep -m 1 delay | sed 's/,* *\\(netem \\)*delay [^ ]* each way//'", data))
set title sprintf("A manager hands out chunks to a worker on another host, with a delay on the cable\n%s; %s", \
                  cable, machine(data))
set xlabel "chunk size (tasks per message)"
set ylabel "time per task (µs), median with min-max"
set logscale xy 10
set xrange [0.7:1500]
set format y "%g"
set key top right Left reverse font ",12"

pick(n, col) = strcol("network") eq n ? column(col) : NaN
# The one-way time of an 8-byte message at delay d (the first row of its
# transport), as text: empty when that delay was not measured.
one_way(d) = system(sprintf("awk -F'\t' '/^#/ { next } !h { for (i = 1; i <= NF; i++) { if ($i == \"median_us\") c = i; if ($i == \"transport\") k = i }; h = 1; next } $k == \"delay-%s\" { print $c; exit }' '%s'", d, pp))
label(d) = (t = one_way(d), t eq "" ? sprintf("delay %s each way", d) : \
            sprintf("delay %s each way (an 8-byte message took %.0f µs)", d, real(t)))
serial = lookup(data, "serial_us", "network", "shm")
plot for [d in "10ms 1ms 0.1ms 0ms"] data using "chunk_size":(pick("delay-" . d, "per_task_us")):(pick("delay-" . d, "min_us")):(pick("delay-" . d, "max_us")) \
         with yerrorlines title label(d), \
     serial with lines lt 3 dt 2 lw 1 title "the task itself, serial"
