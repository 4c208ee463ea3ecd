#!/usr/bin/env bash
# docs.sh - keep the markdown identical to the sources and the data.
#
#   tests/lib/docs.sh update FILE.md...   rewrite every marked code block,
#                                         table and figure from its source
#   tests/lib/docs.sh check  FILE.md...   fail if any differs, or a link or
#                                         image does not resolve inside the
#                                         repository
#
# What a marker looks like (the details are in the awk file that handles it):
#
#   <!-- snippet: chapters/01-processes-and-threads/isolation.c fork-copy -->   docs/snippets.awk
#   <!-- table: plots/data/09-lock-cost.tsv method,threads,median_ns_per_op --> docs/tables.awk
#   <!-- value: plots/data/04-scaling.tsv speedup where workload=sleep,mode=serial -->1.000<!-- /value -->
#
# Run from the top of the repository. Exit status: 0 all good, 1 a problem
# was found (each one is named), 2 bad usage.
set -euo pipefail

usage() {
    echo "usage: $0 update|check FILE.md..." >&2
    exit 2
}
[ $# -ge 2 ] || usage
mode=$1
shift
case "$mode" in update | check) ;; *) usage ;; esac

lib=$(dirname "$0")/docs
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
for md in "$@"; do
    [ -f "$md" ] || { echo "$md: no such file" >&2; status=1; continue; }
    rc=0
    awk -v mode="$mode" -v md="$md" -f "$lib/snippets.awk" -f "$lib/tables.awk" \
        -f "$lib/links.awk" -f "$lib/docs.awk" "$md" >"$out" || rc=$?
    [ "$rc" -eq 0 ] || status=1
    if [ "$rc" -gt 1 ] || [ ! -s "$out" ]; then
        # awk itself failed: its output is not the file; leave the file alone.
        echo "$md: docs.awk failed (status $rc); not updated" >&2
        continue
    fi
    if [ "$mode" = update ] && ! cmp -s "$md" "$out"; then
        cat "$out" >"$md"
        echo "updated $md"
    fi
done
exit $status
