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

# Read the TSV `path` into cell[row, column name], nrows; returns 0 if unreadable.
function read_tsv(path,    line, ok, f, i, n) {
    nrows = 0; delete cell; delete colname
    header = 0
    while ((ok = (getline line < path)) > 0) {
        if (line ~ /^#/) continue
        n = split(line, f, "\t")
        if (!header) { for (i = 1; i <= n; i++) colname[i] = f[i]; ncols = n; header = 1; continue }
        nrows++
        for (i = 1; i <= n; i++) cell[nrows, colname[i]] = f[i]
    }
    close(path)
    return ok >= 0 && header
}

function has_column(name,    i) {
    for (i = 1; i <= ncols; i++) if (colname[i] == name) return 1
    return 0
}

# Whether row r passes the filter "k=v,k=v" (every pair must hold).
function row_passes(r, filter,    pairs, np, i, kv) {
    np = split(filter, pairs, ",")
    for (i = 1; i <= np; i++) {
        split(pairs[i], kv, "=")
        if (cell[r, kv[1]] != kv[2]) return 0
    }
    return 1
}

# The key of row r for the comma-separated columns `names`, joined by spaces.
function row_key(r, names,    parts, np, i, key) {
    np = split(names, parts, ",")
    key = cell[r, parts[1]]
    for (i = 2; i <= np; i++) key = key " " cell[r, parts[i]]
    return key
}

# A markdown table into gen[1..n] from the data file: either the listed
# columns (kind "table", spec "a,b,c") or a pivot (kind "pivot", spec
# "ROW COL VALUE": one line per ROW value, one column per COL value; ROW
# may name several columns, "a,b"). Either spec may end in "where k=v,k=v":
# only the rows with those values.
function generate(kind, path, spec,    n, want, nw, i, r, line, rk, ck, rows, cols, nr, nc, seen, v, filter, rn, rc, label) {
    n = 0
    filter = ""
    if (match(spec, / where [^ ]+$/)) {
        filter = substr(spec, RSTART + 7)
        spec = substr(spec, 1, RSTART - 1)
    }
    if (!read_tsv(path)) { problem("cannot read data file " path); return -1 }
    if (filter != "") {
        split(filter, rc, ",")
        for (i in rc) { split(rc[i], rn, "="); if (!has_column(rn[1])) { problem("no column " rn[1] " in " path); return -1 } }
    }
    if (kind == "table") {
        nw = split(spec, want, ",")
        for (i = 1; i <= nw; i++) if (!has_column(want[i])) { problem("no column " want[i] " in " path); return -1 }
        line = "|"; for (i = 1; i <= nw; i++) line = line " " want[i] " |"; gen[++n] = line
        line = "|"; for (i = 1; i <= nw; i++) line = line " ---: |"; gen[++n] = line
        for (r = 1; r <= nrows; r++) {
            if (filter != "" && !row_passes(r, filter)) continue
            line = "|"; for (i = 1; i <= nw; i++) line = line " " cell[r, want[i]] " |"; gen[++n] = line
        }
        return n
    }
    split(spec, want, " ")
    split(want[1], rn, ",")
    for (i in rn) if (!has_column(rn[i])) { problem("no column " rn[i] " in " path); return -1 }
    for (i = 2; i <= 3; i++) if (!has_column(want[i])) { problem("no column " want[i] " in " path); return -1 }
    nr = nc = 0; delete seen
    for (r = 1; r <= nrows; r++) {
        if (filter != "" && !row_passes(r, filter)) continue
        rk = row_key(r, want[1]); ck = cell[r, want[2]]
        if (!(("r" SUBSEP rk) in seen)) { seen["r", rk] = 1; rows[++nr] = rk }
        if (!(("c" SUBSEP ck) in seen)) { seen["c", ck] = 1; cols[++nc] = ck }
        v[rk, ck] = cell[r, want[3]]
    }
    label = want[1]; gsub(/,/, " ", label)
    line = "| " label " \\ " want[2] " |"; for (i = 1; i <= nc; i++) line = line " " cols[i] " |"; gen[++n] = line
    line = "| --- |"; for (i = 1; i <= nc; i++) line = line " ---: |"; gen[++n] = line
    for (r = 1; r <= nr; r++) {
        line = "| " rows[r] " |"
        for (i = 1; i <= nc; i++) line = line " " ((rows[r], cols[i]) in v ? v[rows[r], cols[i]] : "-") " |"
        gen[++n] = line
    }
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

function finish_table(    i, same) {
    in_table = 0
    if (gn < 0) { for (i = 1; i <= table_n; i++) print table[i]; return }
    same = (table_n == gn)
    for (i = 1; same && i <= gn; i++) same = (table[i] == gen[i])
    if (!same && mode == "check")
        problem("the table after line " marker_line " differs from its data: run make docs")
    if (mode == "update") for (i = 1; i <= gn; i++) print gen[i]
    else for (i = 1; i <= table_n; i++) print table[i]
}

END {
    if (in_table) finish_table()
    if (in_block) problem("unclosed code block")
    for (a in wanted_anchor)
        if (!(a in have_anchor)) {
            printf "%s:%d: broken link: #%s (no such heading)\n", md, wanted_anchor[a], a > "/dev/stderr"
            failed = 1
        }
    exit failed
}
