# docs.awk - one pass over a markdown file for docs.sh: prints the file with
# every marked code block, table and value refreshed from its source or data;
# reports drift (mode=check), missing snippets and data, and links that do not
# resolve inside the repository, on stderr; exits 1 if there was any problem.
# The pieces: snippets.awk (code blocks), tables.awk (tables and values),
# links.awk (links, images, anchors).

function problem(msg) {
    printf "%s:%d: %s\n", md, FNR, msg > "/dev/stderr"
    failed = 1
}

BEGIN {
    dir = md; sub(/[^\/]*$/, "", dir)   # links are relative to the markdown file
}

# A snippet marker: the code block must start on the next line.
/^<!-- snippet: [^ ]+ [^ ]+ -->$/ {
    print
    split($0, f, " ")
    snip_src = f[3]; snip_name = f[4]
    marker_line = FNR
    snip_n = extract(snip_src, snip_name)
    if (snip_n < 0) problem("snippet '" snip_name "' not found in " snip_src)
    expect_fence = 1
    next
}

# A data table: the lines up to the next blank line are generated from a TSV.
/^<!-- (table|pivot): [^ ]+ .+ -->$/ {
    print
    kind = $2; sub(/:$/, "", kind)
    spec = $0; sub(/^<!-- [a-z]+: [^ ]+ /, "", spec); sub(/ -->$/, "", spec)
    gn = generate(kind, $3, spec)
    marker_line = FNR
    in_table = 1; table_n = 0
    next
}

in_table && /^$/ { finish_table(); print; next }
in_table { table[++table_n] = $0; next }

expect_fence {
    expect_fence = 0
    if ($0 !~ /^```/) { problem("a snippet marker must be followed by a ``` block"); print; next }
    print
    in_block = 1; block_n = 0
    next
}

in_block && /^```$/ { in_block = 0; finish_block(); print; next }
in_block { block[++block_n] = $0; next }

# Any other fenced block: links inside code are not links.
/^```/ { plain_code = !plain_code; print; next }
plain_code { print; next }

/^#+ / { h = $0; sub(/^#+ +/, "", h); have_anchor[slug(h)] = 1 }

# A line that starts with a value marker is, to markdown, an HTML block:
# the paragraph breaks there and the rest of the line is not formatted.
/^[ \t]*<!-- value: / { problem("a line starts with a value marker: markdown reads it as raw HTML (begin the line with a word)") }

{
    line = refresh_values($0)
    check_links(line)
    print line
}

END {
    if (in_table) finish_table()
    if (in_block) problem("unclosed code block")
    check_anchors()
    exit failed
}
