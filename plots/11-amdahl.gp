# 11-amdahl.gp - the map split evenly over MPI ranks (MPI_Scatter and
# MPI_Gather): the speed-up against the ranks, beside the ideal line and
# Amdahl's law for the serial fraction the program measured (chapter 11).
# Data: 11-amdahl.tsv, one row per job (mpirun -np N).
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/11-amdahl.svg"
data = datadir . "/11-amdahl.tsv"
set output outfile

# The serial fraction measured in the two-rank job's serial runs.
f = lookup(data, "fraction", "ranks", "2")
cores = real(provenance(data, "cores"))
amdahl(n) = 1 / (f + (1 - f) / n)
# The same on this machine: no more cores than it has.
amdahl_here(n) = amdahl(n < cores ? n : cores)

set title sprintf("A map of %s tasks split over MPI ranks: speed-up and Amdahl's law (serial fraction %.3f, measured)\n%s, %s", \
                  lookup(data, "tasks", "ranks", "1") > 0 ? sprintf("%d", lookup(data, "tasks", "ranks", "1")) : "?", \
                  f, provenance(data, "mpi"), machine(data))
set xlabel "ranks (mpirun -np N); beyond the cores they share them"
set ylabel "speed-up over the serial run (same job), median with min-max"
set xrange [0.5:4.5]
set yrange [0:4.5]
set xtics 1
set key top left Left reverse font ",12"
set arrow from cores, graph 0 to cores, graph 1 nohead dt 3 lc rgb "#888888"
set label sprintf("%d cores", cores) at cores, graph 0.95 offset 0.5, 0 font ",11" tc rgb "#555555"
set samples 100

plot x with lines lt 7 dt 2 lw 1 title "ideal: N times faster", \
     amdahl(x) with lines lt 2 dt 4 title sprintf("Amdahl's law, f = %.3f", f), \
     amdahl_here(x) with lines lt 5 dt 1 lw 1 title sprintf("Amdahl's law on %d cores", cores), \
     data using "ranks":"speedup":"min_speedup":"max_speedup" with yerrorlines lt 1 title "measured"
