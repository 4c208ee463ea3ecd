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

# The top of the repository the markdown file is in (its own folder when it
# is in none): what a link may reach.
function repository_root(    cmd, root) {
    cmd = "cd \"" (dir == "" ? "." : dir) "\" && { git rev-parse --show-toplevel 2>/dev/null || pwd -P; }"
    cmd | getline root
    close(cmd)
    return root
}

# The absolute path of `path`, relative to the markdown file's folder.
function absolute(path,    cmd, abs) {
    cmd = "realpath -m -- \"" (dir == "" ? "./" : dir) path "\""
    cmd | getline abs
    close(cmd)
    return abs
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
        if (root == "") root = repository_root()
        local = absolute(path)
        if (local != root && index(local, root "/") != 1) { problem("link leaves the repository: " target); continue }
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
