# python.bash - for the suites that run the Python companions under real
# interpreters: `load lib/python`. The interpreter under test is $py.

# shellcheck shell=bash

# What the interpreter says it is, asked directly: "LABEL GIL", as the rows must say.
reported() {
    "$py" -c 'import sys, sysconfig
label = "%d.%d.%d" % sys.version_info[:3] + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "")
if not hasattr(sys, "setswitchinterval"):
    gil = "old"
elif hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled():
    gil = "none"
else:
    gil = "new"
sys.stdout.write(label + " " + gil + "\n")'
}

# rows FILE COLUMN...: the named columns of every row, space-joined, rows joined by ';'.
rows() {
    local file=$1
    shift
    awk -F'\t' -v want="$*" '
        /^#/ { next }
        !h { n = split(want, w, " "); for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
        { line = ""; for (j = 1; j <= n; j++) line = line (j > 1 ? " " : "") $c[w[j]]; printf "%s;", line }' "$file"
}
