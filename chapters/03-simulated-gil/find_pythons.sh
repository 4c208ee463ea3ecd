#!/usr/bin/env bash
# find_pythons.sh - the real CPython interpreters chapter 3 runs beside the
# simulation: the path of each that runs here, one per line on stdout, one per
# version (the first found of each); on stderr, what it found and, for each it
# did not, how to get it.
#
#   chapters/03-simulated-gil/find_pythons.sh
#
# It looks in ${WORKBOOK_INTERPRETERS:-/opt/workbook-interpreters}/bin (where
# `make interpreters` puts python2.7, python3.13 and python3.13t) first, then
# on PATH, for python2.7, python3, python3.13, python3.13t and python3.14t, and
# asks each what it is (gil_cpython.py about: its version and its GIL).
set -euo pipefail

here=$(dirname "$0")
folder=${WORKBOOK_INTERPRETERS:-/opt/workbook-interpreters}/bin
labels=" " gils=" "

echo "Real interpreters (in $folder, then on PATH):" >&2
for name in python2.7 python3 python3.13 python3.13t python3.14t; do
    found=
    for path in "$folder/$name" "$(command -v "$name" 2>/dev/null || true)"; do
        if [ -z "$path" ] || [ ! -x "$path" ]; then
            continue
        fi
        if ! about=$("$path" "$here/gil_cpython.py" about 2>/dev/null); then
            printf '  %-12s %s does not run here: skipped\n' "$name" "$path" >&2
            continue
        fi
        found=yes
        label=${about% *} gil=${about#* }
        if [[ "$labels" == *" $label "* ]]; then
            printf '  %-12s %s: CPython %s, found already\n' "$name" "$path" "$label" >&2
        else
            kind="$gil GIL"
            [ "$gil" = none ] && kind="no GIL (free-threaded)"
            printf '  %-12s %s: CPython %s, %s\n' "$name" "$path" "$label" "$kind" >&2
            echo "$path"
            labels+="$label "
            gils+="$gil "
        fi
        break
    done
    [ -n "$found" ] && continue
    case "$name" in
        python2.7) how="make interpreters (as root) puts CPython 2.7 in $folder" ;;
        python3) how="install your distribution's python3 package" ;;
        python3.13) how="make interpreters (as root) builds it, and python3.13t beside it" ;;
        *) how="make interpreters (as root) builds python3.13t; or a distribution's free-threaded package puts one on PATH" ;;
    esac
    printf '  %-12s not found: %s\n' "$name" "$how" >&2
done
[[ "$gils" == *" old "* ]] ||
    echo "  (no old GIL among them: the simulated old GIL runs without CPython 2.7 beside it)" >&2
[[ "$gils" == *" none "* ]] ||
    echo "  (no free-threaded build among them: the simulated none runs without one beside it)" >&2
exit 0
