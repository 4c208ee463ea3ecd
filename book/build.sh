#!/usr/bin/env bash
# build.sh - the workbook as a book: static HTML pages, and a PDF, built
# from the chapter files by pandoc (book/book.lua, book/template.html,
# book/book.css); nothing in the book is copied by hand.
#
#   book/build.sh [--pdf] [OUT]         OUT defaults to $BUILD/book
#
#   OUT/index.html        the top README.md: what the workbook is, the chapters
#   OUT/NN-name.html      one page per chapters/NN-name/README.md
#   OUT/src/PATH.html     a listing of each file in the repository a page links to
#   OUT/plots/*.svg       the reference graphs the pages show
#   OUT/this-machine/     this machine's graphs: plots/NN-name.svg is shown beside
#                         $BUILD/chapterNN/NN-name.svg when `make chapterN` drew it
#   OUT/print.html        the whole book on one page
#   OUT/workbook.pdf      (--pdf) print.html printed by headless chromium
#
# BUILD (default build) is the build folder `make chapterN` wrote to.
# CHROMIUM (default chromium) is the browser that prints the PDF.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "usage: $0 [--pdf] [OUT]" >&2
    exit 2
}
pdf=0
if [ "${1:-}" = --pdf ]; then
    pdf=1
    shift
fi
[ $# -le 1 ] || usage
case "${1:-}" in -*) usage ;; esac
BUILD=${BUILD:-build}
out=${1:-$BUILD/book}
chromium=${CHROMIUM:-chromium}

command -v pandoc >/dev/null || { echo "$0: pandoc is not installed (apt-get install pandoc)" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
stage=$(mktemp -d "$out.new.XXXXXX")
work=$(mktemp -d)
trap 'rm -rf "$stage" "$work"' EXIT
pages=$work/pages.tsv
manifests=$work/manifest      # one per page: what the page links to and shows
manifest=$work/manifest.tsv   # all of them
mkdir -p "$manifests"

# The first level-1 heading of a markdown file, outside code blocks.
title_of() {
    awk '/^ *```/ { fenced = !fenced } !fenced && /^# / { sub(/^# +/, ""); print; exit }' "$1"
}

# The instructors' page, once there is one: INSTRUCTORS.md at the top, or
# the first docs/*instructor*.md (in any case).
instructors() {
    local candidate
    shopt -s nullglob nocaseglob
    for candidate in ./*instructor*.md docs/*instructor*.md; do
        echo "${candidate#./}"
        break
    done
    shopt -u nullglob nocaseglob
}

# The pages every page's navigation knows: the index, the chapters in
# order, the instructors' page.
{
    printf 'README.md\tindex.html\t%s\n' "$(title_of README.md)"
    for md in chapters/[0-9][0-9]-*/README.md; do
        printf '%s\t%s.html\t%s\n' "$md" "$(basename "$(dirname "$md")")" "$(title_of "$md")"
    done
    teacher=$(instructors)
    if [ -n "$teacher" ]; then
        printf '%s\t%s\t%s\n' "$teacher" "${teacher%.md}.html" "$(title_of "$teacher")"
    fi
} >"$pages"

# render MODE SOURCE PAGE [PANDOC OPTION...]: one page of the book.
render() {
    local mode=$1 source=$2 page=$3
    shift 3
    mkdir -p "$(dirname "$stage/$page")"
    pandoc --from=gfm --to=html5 --standalone \
        --template=book/template.html --lua-filter=book/book.lua --highlight-style=pygments \
        --metadata=book-mode="$mode" --metadata=book-page="$page" \
        --metadata=book-pages="$pages" --metadata=book-manifest="$manifests/${page//\//_}.tsv" \
        --metadata=book-links="$manifest" --metadata=book-machine="$BUILD" \
        "$@" --output="$stage/$page" "$source"
}

# spawn COMMAND...: run it in the background, at most one per core at a
# time; finish waits for them all and fails if one failed.
slots=$(nproc 2>/dev/null || echo 1)
running=0
failed=0
spawn() {
    if [ "$running" -ge "$slots" ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
    "$@" &
    running=$((running + 1))
}
finish() {
    while [ "$running" -gt 0 ]; do
        wait -n || failed=1
        running=$((running - 1))
    done
    [ "$failed" -eq 0 ] || { echo "$0: a page failed to build" >&2; exit 1; }
    cat "$manifests"/*.tsv >"$manifest" 2>/dev/null || : >"$manifest"
}

# What the pages recorded: KIND's paths, once each.
recorded() {
    awk -F'\t' -v kind="$1" '$1 == kind { print $2 }' "$manifest" | sort -u
}

declare -A rendered=()
spawn render print README.md print.html    # the longest: it holds every chapter
while IFS=$'\t' read -r source page _; do
    case "$source" in
        README.md) spawn render index "$source" "$page" ;;
        chapters/*) spawn render chapter "$source" "$page" --toc --toc-depth=3 ;;
        *) spawn render page "$source" "$page" --toc --toc-depth=3 ;;
    esac
    rendered[$source]=1
done <"$pages"
finish

# Markdown pages the pages link to, and those they link to in turn.
while :; do
    new=0
    while read -r source; do
        [ -z "${rendered[$source]:-}" ] || continue
        spawn render page "$source" "${source%.md}.html" --toc --toc-depth=3
        rendered[$source]=1
        new=1
    done < <(recorded page)
    finish
    [ "$new" -eq 1 ] || break
done

# A listing for every other file a page links to.
listings=0
while read -r source; do
    spawn render listing /dev/null "src/$source.html" --metadata=book-listing="$source"
    listings=$((listings + 1))
done < <(recorded listing)
finish

# The graphs and images the pages show.
while read -r source; do
    install -D -m 644 "$source" "$stage/$source"
done < <(recorded asset)
machine=0
while IFS=$'\t' read -r _ source copy; do
    install -D -m 644 "$source" "$stage/$copy"
    machine=$((machine + 1))
done < <(awk -F'\t' '$1 == "machine"' "$manifest" | sort -u)
install -m 644 book/book.css "$stage/book.css"

rm -rf "$out"
mv "$stage" "$out"
chmod 755 "$out"
echo "book: $out/index.html: ${#rendered[@]} pages, $listings listings, $machine of this machine's graphs (from $BUILD/chapterNN/)"

[ "$pdf" -eq 1 ] || exit 0

# ---- the PDF: print.html printed by headless chromium ---------------------------
command -v "$chromium" >/dev/null || { echo "$0: chromium is not installed (apt-get install chromium)" >&2; exit 1; }
pdf_file=$out/workbook.pdf
flags=(--headless --disable-gpu --disable-dev-shm-usage --no-first-run --no-default-browser-check
    --user-data-dir="$work/profile" --no-pdf-header-footer --print-to-pdf="$pdf_file")
# As root chromium refuses to start without --no-sandbox.
[ "$(id -u)" -ne 0 ] || flags+=(--no-sandbox)
if ! "$chromium" "${flags[@]}" "file://$(realpath "$out/print.html")" >"$work/chromium.log" 2>&1 ||
    [ "$(head -c 4 "$pdf_file" 2>/dev/null)" != "%PDF" ]; then
    cat "$work/chromium.log" >&2
    echo "$0: chromium did not print $pdf_file" >&2
    exit 1
fi
echo "pdf: $pdf_file ($(du -k "$pdf_file" | cut -f1) KiB)"
