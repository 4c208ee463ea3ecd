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
