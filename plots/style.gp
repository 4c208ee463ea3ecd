# style.gp - the one style every graph of the workbook loads.
#
# Each graph script is run from the top of the repository, as
#   gnuplot plots/NN-name.gp                       (reference data, reference graph)
#   gnuplot -e "datadir='D'; outfile='F'" plots/NN-name.gp   (this machine's run)
# and starts with:  load 'plots/style.gp'

if (!exists("datadir")) datadir = "plots/data"

set terminal svg size 900,560 dynamic font "DejaVu Sans,13" noenhanced background "white"
set encoding utf8

# Okabe-Ito: eight colours told apart with every kind of colour vision.
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 0.9
set linetype 2 lc rgb "#D55E00" lw 2 pt 5 ps 0.9
set linetype 3 lc rgb "#009E73" lw 2 pt 9 ps 1.0
set linetype 4 lc rgb "#CC79A7" lw 2 pt 13 ps 1.0
set linetype 5 lc rgb "#E69F00" lw 2 pt 11 ps 1.0
set linetype 6 lc rgb "#56B4E9" lw 2 pt 15 ps 1.0
set linetype 7 lc rgb "#000000" lw 2 pt 3 ps 1.0
set linetype 8 lc rgb "#F0E442" lw 2 pt 1 ps 1.0
set linetype cycle 8

set border 3 lw 1 lc rgb "#444444"
set tics nomirror out
set grid ytics xtics lc rgb "#dddddd" lw 1 dt solid
set key top left box lc rgb "#bbbbbb" opaque samplen 2 spacing 1.1
set datafile separator "\t"
set datafile commentschars "#"
set errorbars small

# The machine a data file was measured on, from its provenance lines:
# machine(file) is like "AMD EPYC, 2 cores, Linux 6.1.0".
provenance(file, key) = system(sprintf("sed -n 's/^# %s: //p' '%s' | head -n 1", key, file))
machine(file) = sprintf("%s, %s cores, %s", provenance(file, "cpu"), provenance(file, "cores"), \
                        provenance(file, "date")[1:10])

# The value of column `col` in the first row of `file` whose column `key` is
# `val`: lookup(sim, "median_s", "mode", "serial") is the serial run's median.
lookup(file, col, key, val) = real(system(sprintf("awk -F'\t' -v c='%s' -v k='%s' -v v='%s' \
    '/^#/ { next } !h { for (i = 1; i <= NF; i++) { if ($i == c) ci = i; if ($i == k) ki = i }; h = 1; next } \
     $ki == v { print $ci; exit }' '%s'", col, key, val, file)))

# The rows of `file` whose columns have the values in `filter` ("gil=new,
# cpu_threads=1"), header included: one series, without the rows of the others.
select(file, filter) = sprintf("< awk -F'\t' -v want='%s' -f plots/select.awk '%s'", filter, file)

# Whether a file exists (the CPython data, for example, may not).
have(file) = system(sprintf("test -f '%s' && echo yes || echo no", file)) eq "yes"
