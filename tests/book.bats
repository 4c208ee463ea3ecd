#!/usr/bin/env bats
# The book (make book, make book-pdf: book/build.sh): built from the chapter
# files alone, and checked in a real browser - every page loaded in headless
# chromium by tests/lib/book/check_pages.py.

load lib/helpers

CHECK=tests/lib/book/check_pages.py

# One book for the whole file, with its PDF, built from a build folder of its
# own in which `make chapter5` has (as it were) drawn 05-overhead.svg.
setup_file() {
    command -v pandoc >/dev/null || return 0
    export BOOK_BUILD=$BATS_FILE_TMPDIR/build
    export BOOK=$BOOK_BUILD/book
    mkdir -p "$BOOK_BUILD/chapter05"
    cp plots/05-overhead.svg "$BOOK_BUILD/chapter05/05-overhead.svg"
    BUILD=$BOOK_BUILD book/build.sh --pdf "$BOOK" >"$BATS_FILE_TMPDIR/build.log" 2>&1 || true
}

setup() {
    command -v pandoc >/dev/null || skip "pandoc is not installed (make test installs it)"
    command -v chromium >/dev/null || skip "chromium is not installed (make test installs it)"
    [ -f "$BOOK/index.html" ] || { cat "$BATS_FILE_TMPDIR/build.log"; return 1; }
}

# The page of the book for a chapter's README.md.
chapter_page() {
    echo "$BOOK/$(basename "$(dirname "$1")").html"
}

@test "the book has an index, a page per chapter, and a listing of every source a chapter links" {
    [ -f "$BOOK/index.html" ]
    [ -f "$BOOK/print.html" ]
    [ -f "$BOOK/book.css" ]
    for md in chapters/*/README.md; do
        [ -f "$(chapter_page "$md")" ] || { echo "no page for $md"; return 1; }
        dir=$(dirname "$md")
        for target in $(grep -o '](\([^)#]*\.\(c\|h\|py\|sh\))' "$md" | sed 's/^](//'); do
            source=$(realpath -m --relative-to=. "$dir/$target")
            [ -f "$BOOK/src/$source.html" ] || { echo "$md links $target: no listing src/$source.html"; return 1; }
            grep -q 'class="sourceCode' "$BOOK/src/$source.html"
        done
    done
}

@test "the index is the README and lists every chapter, each page is titled by its chapter's heading" {
    grep -qF "$(sed -n 's/^# //p;q' README.md)" "$BOOK/index.html"
    for md in chapters/*/README.md; do
        name=$(basename "$(dirname "$md")")
        grep -q "href=\"$name.html\"" "$BOOK/index.html" || { echo "the index does not link $name.html"; return 1; }
        title=$(sed -n 's/^# //p;q' "$md" | tr -d '`*')
        grep -qF "<title>$title" "$(chapter_page "$md")" || { echo "$name.html is not titled '$title'"; return 1; }
    done
}

@test "each chapter page has its table of contents and links to the pages before and after it" {
    pages=(index.html)
    for md in chapters/*/README.md; do pages+=("$(basename "$(dirname "$md")").html"); done
    for ((i = 1; i < ${#pages[@]}; i++)); do
        page=$BOOK/${pages[i]}
        grep -q '<nav class="toc"' "$page" || { echo "${pages[i]}: no table of contents"; return 1; }
        grep -q "rel=\"prev\" href=\"${pages[i - 1]}\"" "$page" || { echo "${pages[i]}: no link back to ${pages[i - 1]}"; return 1; }
        if [ $((i + 1)) -lt ${#pages[@]} ]; then
            grep -q "rel=\"next\" href=\"${pages[i + 1]}\"" "$page" || { echo "${pages[i]}: no link on to ${pages[i + 1]}"; return 1; }
        fi
    done
}

@test "code blocks are highlighted, graphs are figures, and no docs marker is left in a page" {
    page=$BOOK/01-processes-and-threads.html
    grep -q '<code class="sourceCode c">' "$page"
    grep -q '<figure>' "$page"
    grep -q '<img src="plots/01-creation-cost.svg"' "$page"
    [ -f "$BOOK/plots/01-creation-cost.svg" ]
    run grep -l -- '<!--' "$BOOK"/*.html
    [ -z "$output" ] || { echo "HTML comments left in: $output"; return 1; }
}

@test "a chapter page shows this machine's graph beside the reference one, where make chapterN drew it" {
    page=$BOOK/05-pools.html
    grep -q '<div class="figure-pair">' "$page"
    grep -q '<img src="this-machine/05-overhead.svg"' "$page"
    grep -q '<em>this machine</em>' "$page"
    cmp "$BOOK_BUILD/chapter05/05-overhead.svg" "$BOOK/this-machine/05-overhead.svg"
    # a graph this build folder does not have: the reference alone
    grep -q '<img src="plots/05-completion-order.svg"' "$page"
    ! grep -q 'this-machine/05-completion-order.svg' "$page"
    ! grep -q 'this-machine/' "$BOOK/04-io-vs-cpu.html"
}

@test "every page loads in chromium: no console error or failed request, images loaded, links and anchors resolve, folded answers open and close" {
    run python3 "$CHECK" "$BOOK"
    echo "$output"
    [ "$status" -eq 0 ]
    assert_contains "; 0 problems"
    # the pages hold folded answers (chapter 9's at least), and each opened and closed
    answers=$(echo "$output" | sed -n 's/.* \([0-9]*\) folded answers opened and closed.*/\1/p')
    [ "${answers:-0}" -gt 0 ]
    pages=$(echo "$output" | sed -n 's/^checked \([0-9]*\) pages.*/\1/p')
    [ "$pages" -eq "$(find "$BOOK" -name '*.html' | wc -l)" ]
}

@test "the browser check catches a missing image, dead links and anchors, a console error, a stuck answer, a marker shown" {
    site=$BATS_TEST_TMPDIR/site
    mkdir -p "$site"
    printf '%s\n' '<!DOCTYPE html><html><head><meta charset="utf-8"><title>other</title></head>' \
        '<body><h1 id="here">Other</h1></body></html>' >"$site/other.html"
    printf '%s\n' '<!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head><body>' \
        '<p><img src="missing.svg" alt="gone"></p>' \
        '<p><a href="#here">fine in other.html, not here</a> <a href="other.html#here">fine</a></p>' \
        '<p><a href="nowhere.html">gone</a> <a href="other.html#absent">no such id</a></p>' \
        '<p><a href="https://example.org/">the web</a></p>' \
        '<details><summary>Answer</summary><p>opens</p></details>' \
        '<details><summary onclick="event.preventDefault()">Answer</summary><p>never opens</p></details>' \
        '<p>&lt;!-- value: x --&gt;1&lt;!-- /value --&gt;</p>' \
        '<script>console.error("boom")</script>' \
        '</body></html>' >"$site/page.html"
    run python3 "$CHECK" "$site"
    echo "$output"
    [ "$status" -eq 1 ]
    assert_contains "page.html: image not loaded: missing.svg"
    assert_contains "page.html: failed request: missing.svg (net::ERR_FILE_NOT_FOUND)"
    assert_contains "page.html: broken link: page.html#here (no such id)"
    assert_contains "page.html: broken link: nowhere.html"
    assert_contains "page.html: broken link: other.html#absent (no such id)"
    assert_contains "page.html: link leaves the book: https://example.org/"
    assert_contains "page.html: console error: boom"
    assert_contains "page.html: folded answer 2 does not open on a click"
    assert_contains "page.html: an HTML comment shows as text"
    [[ "$output" != *"folded answer 1 "* ]]
    [[ "$output" != *"other.html#here"* ]]
    [[ "$output" != *"other.html: "* ]]
    assert_contains "; 9 problems"
}

@test "make book-pdf prints the whole book to one PDF, a page at least per chapter" {
    pdf=$BOOK/workbook.pdf
    [ "$(head -c 5 "$pdf")" = "%PDF-" ]
    pages=$(grep -a -c '/Type /Page$' "$pdf")
    chapters=$(find chapters -path 'chapters/[0-9][0-9]-*/README.md' | wc -l)
    [ "$pages" -gt "$chapters" ] || { echo "$pages pages for $chapters chapters"; return 1; }
    # each chapter starts a page, and no graph is cut: the print stylesheet says so
    grep -q 'body.print .chapter { break-before: page' "$BOOK/book.css"
    grep -q 'figure, .figure-pair, img, summary { break-inside: avoid' "$BOOK/book.css"
    grep -c 'class="chapter"' "$BOOK/print.html" | grep -qx "$chapters"
}

@test "book/build.sh is shellcheck-clean and rejects bad usage; the browser driver compiles" {
    if command -v shellcheck >/dev/null; then
        shellcheck book/build.sh
    fi
    run book/build.sh one two
    [ "$status" -eq 2 ]
    assert_contains "usage: "
    run book/build.sh --nonsense
    [ "$status" -eq 2 ]
    PYTHONPYCACHEPREFIX=$BATS_TEST_TMPDIR/pycache python3 -m py_compile "$CHECK"
}
