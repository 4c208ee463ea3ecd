# 01-creation-cost.gp - creation cost of processes and threads against the
# parent's resident memory (chapter 1). Data: 01-creation-cost.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/01-creation-cost.svg"
data = datadir . "/01-creation-cost.tsv"
set output outfile

set title sprintf("Creating a process or a thread: cost against the parent's memory\n%s", machine(data))
set xlabel "memory the parent has touched (MiB)"
set ylabel "time to create and reap or join (µs, log scale)"
set logscale y
set format y "%g"
set yrange [10:*]
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
set xtics (0, 64, 256, 512, 768, 1024)
set key top left

# One line per method; rows of other methods become NaN and are skipped.
methods = "fork fork-exec posix-spawn thread"
pick(m, col) = strcol("method") eq m ? column(col) : NaN
set datafile missing NaN
plot for [i = 1:words(methods)] data \
        using "rss_mib":(pick(word(methods, i), "median_us")):"min_us":"max_us" \
        with yerrorlines lt i title word(methods, i)
