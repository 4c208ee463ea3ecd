# links.awk - every link and image resolves inside the repository (part of docs.sh).
#
# [text](target) and ![alt](target): a file relative to the markdown file, an
# anchor (#heading) in it, or both. A link to the web, or to a path outside
# the repository (a reader's clone holds nothing else), is a problem; so is a
# path outside the repository cited in the prose (`../shared/...`).

# GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'.
function slug(text) {
    text = tolower(text)
    gsub(/[^a-z0-9 _-]/, "", text)
    gsub(/ /, "-", text)
    return text
}

# The path `path`, relative to the markdown file's folder, made relative to
# the top of the repository; "" when it climbs out of it.
function inside_repository(path,    parts, n, i, depth, kept, out) {
    n = split(dir path, parts, "/")
    depth = 0
    for (i = 1; i <= n; i++) {
        if (parts[i] == "" || parts[i] == ".") continue
        if (parts[i] == "..") { if (depth == 0) return ""; depth--; continue }
        kept[++depth] = parts[i]
    }
    out = "."
    for (i = 1; i <= depth; i++) out = out "/" kept[i]
    return out
}

function check_links(line,    rest, target, path, anchor, hash, local) {
    if (line ~ /\.\.\/shared\//) problem("cites ../shared/, which a reader's clone does not have")
    rest = line
    while (match(rest, /\]\([^)]*\)/)) {
        target = substr(rest, RSTART + 2, RLENGTH - 3)
        rest = substr(rest, RSTART + RLENGTH)
        sub(/ +"[^"]*"$/, "", target)             # a title: (file "title")
        if (target ~ /^[a-z]+:/) { problem("link leaves the repository: " target); continue }
        hash = index(target, "#")
        anchor = hash ? substr(target, hash + 1) : ""
        path = hash ? substr(target, 1, hash - 1) : target
        if (path == "") { wanted_anchor[anchor] = FNR; continue }
        local = inside_repository(path)
        if (local == "") { problem("link leaves the repository: " target); continue }
        if (system("test -e \"" local "\"") != 0)
            problem("broken link: " target " (no " dir path ")")
    }
}

function check_anchors(    a) {
    for (a in wanted_anchor)
        if (!(a in have_anchor)) {
            printf "%s:%d: broken link: #%s (no such heading)\n", md, wanted_anchor[a], a > "/dev/stderr"
            failed = 1
        }
}
