#!/usr/bin/env bash
# student-edition.sh - the workbook as a student gets it: every file of the
# working tree (no .git, no build folders), without the solutions
# (chapters/*/solutions/) and without the folded answers in the markdown
# (a <details> whose <summary> is "Answer" or "Model answer", to its
# </details>). The checkers stay: students check their own work with them.
#
#   tests/lib/student-edition.sh DIR      (what `make student-edition` runs)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -eq 1 ] || { echo "usage: tests/lib/student-edition.sh DIR" >&2; exit 2; }
out=$1
case "$(realpath -m "$out")" in
    "$(pwd)" | "$(pwd)"/chapters* | "$(pwd)"/common* | "$(pwd)"/tests* | "$(pwd)"/plots*)
        echo "student-edition.sh: $out is inside the workbook's own folders" >&2; exit 2 ;;
esac
rm -rf "$out"
mkdir -p "$out"
tar -C . --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$out" -xf -
rm -rf "$out"/chapters/*/solutions

answers=0
while IFS= read -r -d '' md; do
    awk '
        /^[ \t]*<details><summary>(Answer|Model answer)/ { skipping = 1; removed++ }
        !skipping { print }
        skipping && /<\/details>/ { skipping = 0 }
        END { if (skipping) { print FILENAME ": a <details> is never closed" > "/dev/stderr"; exit 1 }
              print removed + 0 > "/dev/fd/3" }' "$md" 3>"$out/.count" >"$md.tmp"
    mv "$md.tmp" "$md"
    answers=$((answers + $(cat "$out/.count")))
done < <(find "$out" -name '*.md' -print0)
rm -f "$out/.count"
echo "student edition in $out: $answers answers folded away, no solutions/"
