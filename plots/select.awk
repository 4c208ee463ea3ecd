# select.awk - the header and the rows of a TSV data file whose named columns
# have the given values, for gnuplot (style.gp's select()):
#
#   awk -F'\t' -v want='gil=new,cpu_threads=1' -f plots/select.awk FILE
#
# A series drawn with lines from rows interleaved with other series' rows
# would break at every row that is not its own; selected first, it does not.
BEGIN { n = split(want, pairs, ","); for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); key[i] = kv[1]; value[i] = kv[2] } }
/^#/ { next }
!header { header = 1; for (i = 1; i <= NF; i++) column[$i] = i; print; next }
{
    for (i = 1; i <= n; i++) if (!(key[i] in column) || $column[key[i]] != value[i]) next
    print
}
