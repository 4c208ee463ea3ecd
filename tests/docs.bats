#!/usr/bin/env bats
# Prose and code never drift: the code blocks in the markdown are the
# sources' snippets, the tables and figures are the data's, and every link
# and image resolves inside the repository.

load lib/helpers

DOCS=tests/lib/docs.sh
MARKDOWN=(README.md INSTRUCTORS.md chapters/*/README.md)

@test "every code block, table and figure in the markdown matches its source, every link resolves" {
    run "$DOCS" check "${MARKDOWN[@]}"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "every chapter shows at least one snippet from its sources" {
    for md in chapters/*/README.md; do
        grep -q '^<!-- snippet: ' "$md" || { echo "$md pulls no code from its sources"; return 1; }
    done
}

@test "every graph a chapter shows is in plots/ and has its data and script" {
    for md in chapters/*/README.md; do
        for svg in $(grep -o '](\.\./\.\./plots/[^)]*\.svg)' "$md" | sed 's/^](\.\.\/\.\.\/plots\///; s/)$//'); do
            name=${svg%.svg}
            [ -f "plots/$name.gp" ] || { echo "$md: no plots/$name.gp"; return 1; }
            [ -f "plots/$svg" ] || { echo "$md: no plots/$svg"; return 1; }
        done
    done
}

# ---- the checker itself fails when it should ------------------------------------------

# A markdown file in the test's folder whose block claims to be fork-copy.
write_md() {
    md=$BATS_TEST_TMPDIR/page.md
    {
        echo "# A page"
        echo "<!-- snippet: chapters/01-processes-and-threads/isolation.c fork-copy -->"
        echo '```c'
        printf '%s\n' "$@"
        echo '```'
    } >"$md"
}

@test "the checker catches a code block that drifted from its source" {
    write_md "pid_t pid = fork();" "/* edited by hand */"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "differs from chapters/01-processes-and-threads/isolation.c (fork-copy)"
}

@test "update refreshes a drifted block, and check then passes" {
    write_md "stale"
    run "$DOCS" update "$md"
    [ "$status" -eq 0 ]
    grep -q "pid_t pid = fork();" "$md"
    ! grep -q "stale" "$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 0 ]
}

@test "the checker catches a snippet name missing from the source" {
    md=$BATS_TEST_TMPDIR/page.md
    printf '%s\n' "<!-- snippet: chapters/01-processes-and-threads/isolation.c no-such-snippet -->" \
        '```c' '```' >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "snippet 'no-such-snippet' not found"
}

@test "the checker catches broken links, images and anchors" {
    md=$BATS_TEST_TMPDIR/page.md
    printf '%s\n' "# Title" "[ok](#title) and [gone](missing.md)" "![graph](nowhere.svg)" \
        "[bad anchor](#no-such-heading)" >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "broken link: missing.md"
    assert_contains "broken link: nowhere.svg"
    assert_contains "broken link: #no-such-heading"
    [[ "$output" != *"#title"* ]]
}

@test "the checker catches a data table that drifted from its data" {
    md=$BATS_TEST_TMPDIR/page.md
    printf '%s\n' "<!-- pivot: plots/data/01-creation-cost.tsv method rss_mib median_us -->" \
        "| method \\ rss_mib | 0 |" "| --- | ---: |" "| fork | 1.00 |" "" >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "differs from its data"
    run "$DOCS" update "$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 0 ]
    grep -q '^| fork | ' "$md"
    ! grep -q '| fork | 1.00 |' "$md"
}

@test "the checker catches a figure in a sentence that drifted from its data" {
    md=$BATS_TEST_TMPDIR/page.md
    marker='<!-- value: plots/data/reference/system-limits.tsv low where id=fork_small -->'
    printf '%s\n' "# A page" "A small fork costs ${marker}99<!-- /value --> us." >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "the value 99 differs from its data (85"
    run "$DOCS" update "$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 0 ]
    grep -qF "${marker}85<!-- /value --> us." "$md"
}

@test "the checker catches a line that starts with a value marker (markdown would read it as raw HTML)" {
    md=$BATS_TEST_TMPDIR/page.md
    marker='<!-- value: plots/data/reference/system-limits.tsv low where id=fork_small -->85<!-- /value -->'
    printf '%s\n' "# A page" "A small fork costs" "${marker} us." >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "page.md:3: a line starts with a value marker"
    printf '%s\n' "# A page" "A small fork" "costs ${marker} us." >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "the checker catches a figure whose filter does not pick exactly one row" {
    md=$BATS_TEST_TMPDIR/page.md
    printf '%s\n' "# A page" \
        "One <!-- value: plots/data/reference/system-limits.tsv low where unit=us -->1<!-- /value -->" \
        "two <!-- value: plots/data/reference/system-limits.tsv low where id=no_such_row -->1<!-- /value -->" >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "match unit=us (a value needs exactly one)"
    assert_contains "0 rows of plots/data/reference/system-limits.tsv match id=no_such_row"
}

@test "the checker fails on links, images and citations that leave the repository" {
    md=$BATS_TEST_TMPDIR/page.md
    cp README.md "$BATS_TEST_TMPDIR/README.md"   # a file the links below could reach
    printf '%s\n' "# A page" "[web](https://example.org/) and [mail](mailto:a@b.c)" \
        "[up and out](../../../../etc/passwd) ![graph](../../../../tmp/x.svg)" \
        'as `../shared/reference/system-limits.md` says' >"$md"
    run "$DOCS" check "$md"
    [ "$status" -eq 1 ]
    assert_contains "link leaves the repository: https://example.org/"
    assert_contains "link leaves the repository: mailto:a@b.c"
    assert_contains "link leaves the repository: ../../../../etc/passwd"
    assert_contains "link leaves the repository: ../../../../tmp/x.svg"
    assert_contains "cites ../shared/, which a reader's clone does not have"
}

@test "every chapter's markdown and the README stay inside the repository" {
    run grep -rln '\.\./shared/' README.md chapters/*/README.md
    [ -z "$output" ] || { echo "cites ../shared/: $output"; return 1; }
}
