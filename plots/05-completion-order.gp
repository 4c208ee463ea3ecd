# 05-completion-order.gp - how many results the caller can use, against time,
# for map (input order) and as_completed (completion order), the same tasks
# (chapter 5). Data: 05-order.tsv.
load 'plots/style.gp'
if (!exists("outfile")) outfile = "plots/05-completion-order.svg"
data = datadir . "/05-order.tsv"
set output outfile

set title sprintf("Results in hand: map against as_completed (%s %s, tasks of varied length)\n%s", \
                  provenance(data, "workers"), provenance(data, "pool"), machine(data))
set xlabel "time since the tasks were given to the pool (s)"
set ylabel "results the caller can use"
set xrange [0:*]
set yrange [0:*]
set key top left

pick(m, col) = strcol("method") eq m ? column(col) : NaN
plot data using (pick("as_completed", "available_s")):(pick("as_completed", "position")) \
         with steps lt 3 title "submit + as_completed: each result as it finishes", \
     data using (pick("as_completed", "available_s")):(pick("as_completed", "position")) \
         with points lt 3 notitle, \
     data using (pick("map", "available_s")):(pick("map", "position")) \
         with steps lt 2 title "map: in input order, each behind the slowest before it", \
     data using (pick("map", "available_s")):(pick("map", "position")) \
         with points lt 2 notitle
