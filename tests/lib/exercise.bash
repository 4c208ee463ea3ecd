# exercise.bash - what every exercise checker sources:
#   . tests/lib/exercise.bash
# tests/lib/exercise.sh runs the checker from the top of the reader's tree
# with $CHECK_TMP (a scratch folder it removes afterwards), $CHECK_BUILD
# (where to build) and $CHECK_VERDICT (where `pass` and `fail` leave the why).

# shellcheck shell=bash
set -euo pipefail
: "${CHECK_TMP:?run checkers with tests/lib/exercise.sh check N.M}"

# pass WHY / fail WHY: the verdict, and the end of the checker.
pass() {
    printf '%s\n' "$*" >"$CHECK_VERDICT"
    exit 0
}
fail() {
    printf '%s\n' "$*" >"$CHECK_VERDICT"
    exit 1
}

# build PROGRAM...: build chapter programs (chapterNN/NAME) from the reader's
# sources into $CHECK_BUILD; a compile error is the verdict.
build() {
    local targets=() program
    for program in "$@"; do targets+=("$CHECK_BUILD/$program"); done
    if ! make --no-print-directory -s -j"$(nproc)" BUILD="$CHECK_BUILD" "${targets[@]}" >"$CHECK_TMP/build.log" 2>&1; then
        tail -n 20 "$CHECK_TMP/build.log" >&2
        fail "$* does not build (the compiler's messages are above)"
    fi
}

# column FILE NAME: the values of TSV column NAME, one per line.
column() {
    awk -F'\t' -v name="$2" '
        /^#/ { next }
        !c { for (i = 1; i <= NF; i++) if ($i == name) c = i; if (!c) exit 1; next }
        { print $c }' "$1"
}

# rows_where FILE NAME VALUE: the data rows whose column NAME is VALUE.
rows_where() {
    awk -F'\t' -v name="$2" -v value="$3" '
        /^#/ { next }
        !c { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
        c && $c == value' "$1"
}

# answer FILE KEY: what the first line `KEY: ...` of an answer file says after
# its colon (KEY in any case); nothing where the file has no such line.
answer() {
    grep -i "^$2:" "$1" 2>/dev/null | head -n 1 | cut -d: -f2- || true
}

# answer_number FILE KEY: the first number (12, 0.45) on that line.
answer_number() {
    answer "$1" "$2" | grep -oE '[0-9]+(\.[0-9]+)?' | head -n 1 || true
}
