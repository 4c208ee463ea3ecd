# chapter.sh - what every chapter's run.sh shares. Source it, then call
# chapter_setup with the mode:
#
#   . common/chapter.sh
#   chapter_setup "$@"          # quick | measure
#   "$BIN/prog" ... --data "$DATA_DIR/NN-name.tsv"
#   draw_graph NN-name
#   compare_with_reference NN-name method,rss_mib median_us
#
# quick:   data in $OUT/data/, graphs in $OUT/ (this machine, build/chapterNN)
# measure: data in plots/data/, graphs in plots/ (the reference, rewritten)
#
# BIN (where the chapter's programs are) and OUT come from the Makefile.

# shellcheck shell=bash
set -euo pipefail

chapter_setup() {
    MODE=${1:-}
    : "${BIN:?BIN must name the folder of the chapter programs (run me through make)}"
    case "$MODE" in
        quick)
            : "${OUT:?OUT must name the output folder}"
            DATA_DIR=$OUT/data
            GRAPH_DIR=$OUT
            ;;
        measure)
            DATA_DIR=plots/data
            GRAPH_DIR=plots
            ;;
        *)
            echo "usage: $0 quick|measure" >&2
            exit 2
            ;;
    esac
    mkdir -p "$DATA_DIR" "$GRAPH_DIR"
}

# find_python3s WHAT: the real CPython 3.8 or later interpreters chapter 3's
# find_pythons.sh finds (python3, and those `make interpreters` builds), into
# the array `pythons`; none under a sanitizer build (make asan/tsan). One line
# says why each older one is left out: it has no WHAT.
find_python3s() {
    local what=$1 found
    pythons=()
    if [ -n "${WORKBOOK_SANITIZER:-}" ]; then
        echo "(sanitizer build: the real interpreters are skipped)"
        return 0
    fi
    while read -r found; do
        if "$found" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
            pythons+=("$found")
        else
            echo "($found: no $what before Python 3.8, skipped)"
        fi
    done < <(chapters/03-simulated-gil/find_pythons.sh 2>/dev/null)
}

# Print a heading the way every chapter run does.
say() {
    printf '\n== %s\n' "$*"
}

# draw_graph NAME: plots/NAME.gp reads $DATA_DIR and writes $GRAPH_DIR/NAME.svg.
draw_graph() {
    local name=$1
    # gnuplot warns about the degree sign in a locale without UTF-8 (the C
    # locale of a minimal system or a container): the graphs are UTF-8.
    LC_ALL=C.UTF-8 gnuplot -e "datadir='$DATA_DIR'; outfile='$GRAPH_DIR/$name.svg'" "plots/$name.gp"
    echo "graph: $GRAPH_DIR/$name.svg"
}

# compare_tsv LEFT RIGHT KEYS VALUE LEFT_NAME RIGHT_NAME: VALUE from two data
# files side by side, row by row, matched on the comma-separated KEYS columns,
# with the ratio RIGHT / LEFT. Rows of RIGHT that LEFT lacks show '-'.
compare_tsv() {
    local left=$1 right=$2 keys=$3 value=$4 left_name=$5 right_name=$6
    awk -F'\t' -v keys="$keys" -v value="$value" -v ln="$left_name" -v rn="$right_name" '
        # Column numbers by name, from the first non-comment line of each file.
        FNR == 1 { header = 0; file++ }
        /^#/ { next }
        !header {
            header = 1
            for (i = 1; i <= NF; i++) col[file, $i] = i
            nk = split(keys, k, ",")
            for (j = 1; j <= nk; j++)
                if (!((file, k[j]) in col)) { print "no column " k[j] " in " FILENAME; exit 1 }
            if (!((file, value) in col)) { print "no column " value " in " FILENAME; exit 1 }
            if (file == 2) printf "%-28s %14s %14s %8s\n", keys, ln, rn, "ratio"
            next
        }
        {
            id = ""
            for (j = 1; j <= nk; j++) id = id (j > 1 ? " " : "") $(col[file, k[j]])
            v = $(col[file, value])
            if (file == 1) { left[id] = v; next }
            if (id in left && left[id] > 0)
                printf "%-28s %14s %14s %7.2fx\n", id, left[id], v, v / left[id]
            else
                printf "%-28s %14s %14s %8s\n", id, "-", v, "-"
        }' "$left" "$right"
}

# compare_with_reference NAME KEYS VALUE: in quick mode, this run's VALUE
# beside the reference data's (plots/data/NAME.tsv).
compare_with_reference() {
    local name=$1 keys=$2 value=$3
    local reference=plots/data/$name.tsv mine=$DATA_DIR/$name.tsv
    [ "$MODE" = quick ] || return 0
    if [ ! -f "$reference" ]; then
        echo "(no reference data $reference to compare with)"
        return 0
    fi
    echo "reference: $(sed -n 's/^# cpu: //p' "$reference"), $(sed -n 's/^# cores: //p' "$reference") cores, $(sed -n 's/^# date: //p' "$reference")"
    compare_tsv "$reference" "$mine" "$keys" "$value" reference "this machine"
}

# merge_tsv OUT FIRST SECOND [MORE...]: one data file with the rows of several
# that have the same columns (the C programs' and a Python companion's, or
# several programs'). FIRST's provenance is kept as it is; each other file's
# lines are kept as "# companion ...". Written to a temporary name and
# renamed into place.
merge_tsv() {
    local out=$1 first=$2 tmp file
    shift 2
    for file in "$@"; do
        if [ "$(grep -v '^#' "$first" | head -n 1)" != "$(grep -v '^#' "$file" | head -n 1)" ]; then
            echo "merge_tsv: $first and $file have different columns" >&2
            return 1
        fi
    done
    tmp=$(mktemp "$out.tmp.XXXXXX")
    {
        grep '^#' "$first"
        for file in "$@"; do sed -n 's/^# /# companion /p' "$file"; done
        grep -v '^#' "$first"
        for file in "$@"; do grep -v '^#' "$file" | tail -n +2; done
    } >"$tmp"
    mv "$tmp" "$out"
}
