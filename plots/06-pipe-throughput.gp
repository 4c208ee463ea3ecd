# 06-pipe-throughput.gp - a pipe's throughput between two processes against
# the size of each write, both on one core and on two, beside the bare loop
# (write and read, nothing checked) and memcpy, measured in the same run
# (chapter 6). Data: 06-pipe-throughput.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/06-pipe-throughput.svg"
data = datadir . "/06-pipe-throughput.tsv"
set output outfile

set title sprintf("Pipe throughput between two processes (%s MiB a run, every byte checked)\n%s", \
                  sprintf("%d", real(provenance(data, "bytes_per_run")) / 1048576), machine(data))
set xlabel "bytes per write()"
set ylabel "MiB/s, median with min-max"
set logscale xy 2
set xrange [2048:2097152]
set yrange [64:131072]
set xtics ("4K" 4096, "16K" 16384, "64K" 65536, "256K" 262144, "1M" 1048576)
set ytics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "16K" 16384, "64K" 65536)
set key right bottom at graph 0.98, 0.02

pick(p, col) = strcol("placement") eq p ? column(col) : NaN
plot data using "write_bytes":(pick("one-core", "memcpy_mib_s")) with linespoints lt 7 dt 2 pt 6 \
         title "memcpy of the same blocks (this run)", \
     data using "write_bytes":(pick("one-core", "median_mib_s")):(pick("one-core", "min_mib_s")):(pick("one-core", "max_mib_s")) \
         with yerrorlines lt 1 title "pipe, writer and reader on one core", \
     data using "write_bytes":(pick("two-cores", "median_mib_s")):(pick("two-cores", "min_mib_s")):(pick("two-cores", "max_mib_s")) \
         with yerrorlines lt 2 title "pipe, writer and reader on two cores", \
     data using "write_bytes":(pick("one-core", "median_bare_mib_s")) with lines lt 1 lw 1.5 dt 3 \
         title "bare loop (nothing checked), one core", \
     data using "write_bytes":(pick("two-cores", "median_bare_mib_s")) with lines lt 2 lw 1.5 dt 3 \
         title "bare loop (nothing checked), two cores"
