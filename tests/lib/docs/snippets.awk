# snippets.awk - code blocks pulled from the sources (part of docs.sh).
#
# In the markdown:   <!-- snippet: chapters/01-processes-and-threads/isolation.c fork-copy -->
#                    ```c ... ```
# In the source:     // snippet-begin: fork-copy ... // snippet-end: fork-copy

# The lines of snippet `name` in `path`, dedented, into snip[1..n]; returns n
# (-1 when the file or the markers are missing).
function extract(path, name,    line, n, inside, found, i, min, ok) {
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

# The code block that followed a marker is complete: print the snippet
# (update) or the block as it was (check, which reports a difference).
function finish_block(    i, same) {
    if (snip_n < 0) { for (i = 1; i <= block_n; i++) print block[i]; return }
    same = (block_n == snip_n)
    for (i = 1; same && i <= snip_n; i++) same = (block[i] == snip[i])
    if (!same && mode == "check")
        problem("the block after line " marker_line " differs from " snip_src " (" snip_name "): run make docs")
    if (mode == "update") for (i = 1; i <= snip_n; i++) print snip[i]
    else for (i = 1; i <= block_n; i++) print block[i]
}
