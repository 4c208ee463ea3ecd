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

# each_python CHECK WANTED NONE: run the function CHECK with $py set to each
# interpreter chapter 3's find_pythons.sh finds for which the function WANTED
# says yes (it too sees $py); fail, naming the interpreter, where CHECK fails.
# Which ran goes into the TAP output as a comment, or NONE where none did;
# find_pythons.sh's report of what it did not find is kept in
# $BATS_TEST_TMPDIR/found.
each_python() {
    local check=$1 wanted=$2 none=$3 path ran=""
    for path in $(chapters/03-simulated-gil/find_pythons.sh 2>"$BATS_TEST_TMPDIR/found"); do
        py=$path
        "$wanted" || continue
        "$check" || { echo "under $path"; return 1; }
        ran+=" $(reported | tr ' ' /)"
    done
    echo "# ran under:${ran:- $none}" >&3
}

# other_python3: is $py a Python 3.8 or later, and not the python3 on PATH
# (tested already)? For each_python.
other_python3() {
    "$py" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null &&
        [ "$(reported)" != "$(py=$(command -v python3) reported)" ]
}
