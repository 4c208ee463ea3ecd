# tables.awk - tables and figures pulled from the data files (part of docs.sh).
#
# A table: the lines after the marker, up to the next blank line.
#   <!-- table: FILE.tsv a,b,c [where k=v,k=v] -->   the listed columns
#   <!-- pivot: FILE.tsv ROW COL VALUE [where ...] -->  one line per ROW value
#                                                       (ROW may be "a,b"),
#                                                       one column per COL value
# A figure inside a sentence: the text between the two markers.
#   <!-- value: FILE.tsv COLUMN where k=v,k=v -->1.98<!-- /value -->
#   <!-- value: FILE.tsv #cpu -->AMD EPYC<!-- /value -->    (a provenance line)
# The filter must pick exactly one row. A marker in inline code (right after
# a backtick) is an example and left alone.

# Read the TSV `path` into cell[row, column name], nrows; returns 0 if unreadable.
function read_tsv(path,    line, ok, f, i, n, header) {
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

# 1 if every column the filter names exists (else a problem is reported).
function filter_columns_exist(filter, path,    rc, rn, i) {
    if (filter == "") return 1
    split(filter, rc, ",")
    for (i in rc) {
        split(rc[i], rn, "=")
        if (!has_column(rn[1])) { problem("no column " rn[1] " in " path); return 0 }
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

# A markdown table into gen[1..n] from the data file; returns n, -1 on a problem.
function generate(kind, path, spec,    n, want, nw, i, r, line, rk, ck, rows, cols, nr, nc, seen, v, filter, rn, label) {
    n = 0
    filter = ""
    if (match(spec, / where [^ ]+$/)) {
        filter = substr(spec, RSTART + 7)
        spec = substr(spec, 1, RSTART - 1)
    }
    if (!read_tsv(path)) { problem("cannot read data file " path); return -1 }
    if (!filter_columns_exist(filter, path)) return -1
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

# The table that followed a marker is complete: print it generated (update)
# or as it was (check, which reports a difference).
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

# A provenance line of a data file: "# key: value" -> value ("" if none).
function provenance(path, key,    line, ok, value, prefix) {
    value = ""; prefix = "# " key ": "
    while ((ok = (getline line < path)) > 0)
        if (index(line, prefix) == 1) { value = substr(line, length(prefix) + 1); break }
    close(path)
    return value
}

# The one value a "value" marker names: "FILE.tsv COLUMN where k=v,k=v", or
# "FILE.tsv #KEY" for a provenance line ("#cpu", "#date").
# Sets value_ok to 0 (and reports) when it cannot be found.
function lookup_value(spec,    f, path, col, filter, r, found, value) {
    value_ok = 0
    if (split(spec, f, " ") == 2 && f[2] ~ /^#/) {
        value = provenance(f[1], substr(f[2], 2))
        if (value == "") { problem("no provenance line '" substr(f[2], 2) "' in " f[1]); return "" }
        value_ok = 1
        return value
    }
    if (split(spec, f, " ") != 4 || f[3] != "where") { problem("a value marker is 'FILE COLUMN where k=v,...': " spec); return "" }
    path = f[1]; col = f[2]; filter = f[4]
    if (!read_tsv(path)) { problem("cannot read data file " path); return "" }
    if (!has_column(col)) { problem("no column " col " in " path); return "" }
    if (!filter_columns_exist(filter, path)) return ""
    found = 0
    for (r = 1; r <= nrows; r++)
        if (row_passes(r, filter)) { found++; value = cell[r, col] }
    if (found != 1) { problem(found " rows of " path " match " filter " (a value needs exactly one)"); return "" }
    value_ok = 1
    return value
}

# Every value marker on the line refreshed (update) or checked (check).
function refresh_values(line,    out, spec, shown, value, start, rest) {
    out = ""
    rest = line
    while (match(rest, /<!-- value: [^>]* -->/)) {
        start = substr(rest, 1, RSTART + RLENGTH - 1)
        if (RSTART > 1 && substr(rest, RSTART - 1, 1) == "`") {
            # `<!-- value: ... -->` in inline code: an example, not a marker
            out = out start
            rest = substr(rest, RSTART + RLENGTH)
            continue
        }
        spec = substr(rest, RSTART + 12, RLENGTH - 16)
        rest = substr(rest, RSTART + RLENGTH)
        if (!match(rest, /<!-- \/value -->/)) { problem("a value marker without <!-- /value -->"); return line }
        shown = substr(rest, 1, RSTART - 1)
        rest = substr(rest, RSTART)
        value = lookup_value(spec)
        if (value_ok && shown != value && mode == "check")
            problem("the value " shown " differs from its data (" value ", " spec "): run make docs")
        out = out start ((value_ok && mode == "update") ? value : shown)
    }
    return out rest
}
