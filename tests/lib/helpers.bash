# helpers.bash - loaded by every bats suite: `load lib/helpers`.
# Tests run from the top of the repository against the programs in $BUILD.

# shellcheck shell=bash
bats_require_minimum_version 1.5.0
BUILD=${BUILD:-build}
cd "$BATS_TEST_DIRNAME/.." || exit 1

# assert_usage_error WORD: the last `run` exited 2, named WORD, showed usage.
assert_usage_error() {
    local word=$1
    if [ "$status" -ne 2 ]; then
        echo "expected exit status 2, got $status; output: $output"
        return 1
    fi
    if [[ "$output" != *"$word"* ]]; then
        echo "the message does not name '$word': $output"
        return 1
    fi
    if [[ "$output" != *"usage: "* ]]; then
        echo "no usage line: $output"
        return 1
    fi
}

# assert_contains TEXT: the last `run` printed TEXT.
assert_contains() {
    if [[ "$output" != *"$1"* ]]; then
        printf 'expected to find: %s\nin output:\n%s\n' "$1" "$output"
        return 1
    fi
}

# tsv_column FILE NAME: the values of column NAME, one per line (no header).
tsv_column() {
    awk -F'\t' -v name="$2" '
        /^#/ { next }
        !c { for (i = 1; i <= NF; i++) if ($i == name) c = i; if (!c) exit 1; next }
        { print $c }' "$1"
}

# QUOTIENT: awk functions for checking a printed quotient against its printed
# parts, each anywhere within half a step of what it shows. fixed(x): half a
# step of x's last printed digit, as %.3f or %.0f print it (0.019, 2.843e+07).
# g4(x): half a step of x as side_by_side.py's fmt() prints it (%.4g below
# 100, which drops trailing zeros, %.0f from there). quotient(a, b, q): q = a
# / b, all three printed with fixed digits; quotient_g4(a, b, q): a and b
# printed by fmt(), q with fixed digits.
# shellcheck disable=SC2034  # read by the test files that load this one
QUOTIENT='
function fixed(x,   m, e, d) {
    e = 0; m = x
    if (match(x, /[eE]/)) { e = substr(x, RSTART + 1) + 0; m = substr(x, 1, RSTART - 1) }
    d = index(m, ".")
    return 0.5 * 10 ^ (e - (d ? length(m) - d : 0))
}
function g4(x,   l, f) {
    if (x + 0 == 0 || x >= 100 || x <= -100) return fixed(x)
    l = log(x < 0 ? -x : x) / log(10); f = int(l); if (f > l) f--
    return 0.5 * 10 ^ (f - 3)
}
function within(a, ha, b, hb, q, hq) {
    if (b + hb <= 0) return 0
    if (q + hq < (a - ha) / (b + hb)) return 0
    return b - hb <= 0 || q - hq <= (a + ha) / (b - hb)
}
function quotient(a, b, q) { return within(a, fixed(a), b, fixed(b), q, fixed(q)) }
function quotient_g4(a, b, q) { return within(a, g4(a), b, g4(b), q, fixed(q)) }'

# children PID: the child processes of PID, from /proc, separated by spaces.
children() {
    local list
    list=$(cat "/proc/$1/task/$1/children" 2>/dev/null || true)
    # shellcheck disable=SC2086 # unquoted: trims the kernel's trailing space
    echo $list
}

# wait_for_children PID N: wait (up to 10 s) until PID has at least N children;
# prints them.
wait_for_children() {
    local pid=$1 n=$2 list
    for _ in $(seq 200); do
        list=$(children "$pid")
        if [ "$(echo "$list" | wc -w)" -ge "$n" ]; then
            echo "$list"
            return 0
        fi
        sleep 0.05
    done
    echo "PID $pid never had $n children" >&2
    return 1
}

# wait_bounded PID SECONDS: wait for background job PID to end; fail (and
# kill it) if it has not ended within SECONDS: a hang is a failure, not a
# test that never finishes.
wait_bounded() {
    local pid=$1 seconds=$2
    for _ in $(seq $((seconds * 20))); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            return
        fi
        sleep 0.05
    done
    echo "PID $pid still running after $seconds s" >&2
    kill -KILL "$pid"
    return 1
}
