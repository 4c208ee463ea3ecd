# snippets.awk - the work of snippets.sh (see there) for one markdown file.
# Prints the file with every marked block refreshed from its source; reports
# drifted blocks (mode=check), missing snippets and broken links on stderr,
# and exits 1 if there was any.

function problem(msg) {
    printf "%s:%d: %s\n", md, FNR, msg > "/dev/stderr"
    failed = 1
}

# The lines of snippet `name` in `path`, dedented, into snip[1..n]; returns n
# (-1 when the file or the markers are missing).
function extract(path, name,    line, n, inside, found, i, indent, min, ok) {
    n = 0; inside = 0; found = 0; min = -1
    while ((ok = (getline line < path)) > 0) {
        if (line ~ ("snippet-end: " name "([^A-Za-z0-9_-]|$)")) { inside = 0; continue }
        if (inside) {
            snip[++n] = line
            if (line ~ /[^ ]/) {
                match(line, /^ */)
                if (min < 0 || RLENGTH < min) min = RLENGTH
            }
        }
        if (line ~ ("snippet-begin: " name "([^A-Za-z0-9_-]|$)")) { inside = 1; found = 1 }
    }
    if (ok < 0) return -1
    close(path)
    if (!found) return -1
    for (i = 1; i <= n; i++) snip[i] = substr(snip[i], min + 1)
    return n
}

# GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'.
function slug(text) {
    text = tolower(text)
    gsub(/[^a-z0-9 _-]/, "", text)
    gsub(/ /, "-", text)
    return text
}

# Check every [text](target) and ![alt](target) on the line.
function check_links(line,    rest, target, path, anchor, hash) {
    rest = line
    while (match(rest, /\]\([^)]*\)/)) {
        target = substr(rest, RSTART + 2, RLENGTH - 3)
        rest = substr(rest, RSTART + RLENGTH)
        sub(/ +"[^"]*"$/, "", target)             # a title: (file "title")
        if (target ~ /^(https?|mailto):/) continue  # outside: not checked offline
        hash = index(target, "#")
        anchor = hash ? substr(target, hash + 1) : ""
        path = hash ? substr(target, 1, hash - 1) : target
        if (path == "") { wanted_anchor[anchor] = FNR; continue }
        if (system("test -e \"" dir path "\"") != 0)
            problem("broken link: " target " (no " dir path ")")
    }
}

BEGIN {
    dir = md; sub(/[^\/]*$/, "", dir)   # links are relative to the markdown file
}

# A marker: remember it; the code block must start on the next line.
/^<!-- snippet: [^ ]+ [^ ]+ -->$/ {
    print
    split($0, f, " ")
    src = f[3]; name = f[4]
    marker_line = FNR
    n = extract(src, name)
    if (n < 0) problem("snippet '" name "' not found in " src)
    expect_fence = 1
    next
}

expect_fence {
    expect_fence = 0
    if ($0 !~ /^```/) { problem("a snippet marker must be followed by a ``` block"); print; next }
    print
    in_block = 1; block_n = 0
    next
}

in_block && /^```$/ {
    in_block = 0
    if (n >= 0) {
        same = (block_n == n)
        for (i = 1; same && i <= n; i++) same = (block[i] == snip[i])
        if (!same && mode == "check")
            problem("the block after line " marker_line " differs from " src " (" name "): run make docs")
        if (mode == "update") for (i = 1; i <= n; i++) print snip[i]
        else for (i = 1; i <= block_n; i++) print block[i]
    } else {
        for (i = 1; i <= block_n; i++) print block[i]
    }
    print
    next
}

in_block { block[++block_n] = $0; next }

# Any other fenced block: links inside code are not links.
/^```/ { plain_code = !plain_code; print; next }
plain_code { print; next }

/^#+ / { h = $0; sub(/^#+ +/, "", h); have_anchor[slug(h)] = 1 }

{ check_links($0); print }

END {
    if (in_block) problem("unclosed code block")
    for (a in wanted_anchor)
        if (!(a in have_anchor)) {
            printf "%s:%d: broken link: #%s (no such heading)\n", md, wanted_anchor[a], a > "/dev/stderr"
            failed = 1
        }
    exit failed
}
