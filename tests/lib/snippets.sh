#!/usr/bin/env bash
# snippets.sh - keep the code in the markdown identical to the sources.
#
#   tests/lib/snippets.sh update FILE.md...   rewrite each marked code block
#   tests/lib/snippets.sh check  FILE.md...   fail if any block differs from its
#                                             source, or a link or image in the
#                                             markdown does not resolve
#
# In the markdown, a code block pulled from a source is preceded by a marker
# naming the file (from the top of the repository) and the snippet:
#
#   <!-- snippet: chapters/01-processes-and-threads/isolation.c fork-copy -->
#   ```c
#   ...lines, refreshed by `make docs`...
#   ```
#
# In the source, the snippet is the lines between two marker comments
# (the markers themselves are left out, and common indentation removed):
#
#   // snippet-begin: fork-copy
#   ...
#   // snippet-end: fork-copy
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

status=0
for md in "$@"; do
    [ -f "$md" ] || { echo "$md: no such file" >&2; status=1; continue; }
    out=$(mktemp)
    trap 'rm -f "$out"' EXIT
    rc=0
    awk -v mode="$mode" -v md="$md" -f "$(dirname "$0")/snippets.awk" "$md" >"$out" || rc=$?
    [ "$rc" -eq 0 ] || status=1
    if [ "$rc" -gt 1 ] || [ ! -s "$out" ]; then
        # awk itself failed: its output is not the file; leave the file alone.
        echo "$md: snippets.awk failed (status $rc); not updated" >&2
        rm -f "$out"
        continue
    fi
    if [ "$mode" = update ] && ! cmp -s "$md" "$out"; then
        cat "$out" >"$md"
        echo "updated $md"
    fi
    rm -f "$out"
done
exit $status
