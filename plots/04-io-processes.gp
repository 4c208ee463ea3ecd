# 04-io-processes.gp - I/O-bound tasks: wall time against the number of
# processes (chapter 4; the article's third graph). The same script as
# 04-io-threads.gp, drawing the process pool's rows.
mode = "processes"
if (!exists("outfile")) outfile = "plots/04-io-processes.svg"
load 'plots/04-io-threads.gp'
