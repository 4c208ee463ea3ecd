# prove.bash - the proof of an exercise checker, for tests/exercises-NN.bats:
#   load lib/prove
#   @test "..." { prove 1.2; }
# The checker must fail on the untouched workbook and pass once its solution
# (chapters/NN-*/solutions/N.M.patch) is applied, each in a copy of the tree
# of its own, and leave the tree as it found it.

# shellcheck shell=bash
KIT=tests/lib/exercise.sh

# copy_tree DIR: the working tree, without .git and build folders, into DIR.
copy_tree() {
    mkdir -p "$1"
    tar -C . --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$1" -xf -
}

# fingerprint DIR: a checksum of every file under DIR.
fingerprint() {
    (cd "$1" && find . -type f -print0 | sort -z | xargs -0 md5sum | md5sum)
}

# prove ID: fail before the solution, pass after, the tree untouched by each run.
prove() {
    local id=$1 tree=$BATS_TEST_TMPDIR/tree-$1 before solution
    solution=$(ls chapters/*/solutions/"$id".patch)
    copy_tree "$tree"
    before=$(fingerprint "$tree")
    run "$tree/$KIT" check "$id"
    [ "$status" -eq 1 ] || { echo "untouched: expected a fail (1), got $status: $output"; return 1; }
    [[ "${lines[-1]}" == "Exercise $id: fail - "* ]] || { echo "last line: ${lines[-1]}"; return 1; }
    [ "$(fingerprint "$tree")" = "$before" ] || { echo "the checker changed the tree"; return 1; }

    patch -s -p1 -d "$tree" <"$solution"
    before=$(fingerprint "$tree")
    run "$tree/$KIT" check "$id"
    [ "$status" -eq 0 ] || { echo "with the solution: expected a pass (0), got $status: $output"; return 1; }
    [[ "${lines[-1]}" == "Exercise $id: pass - "* ]] || { echo "last line: ${lines[-1]}"; return 1; }
    [ "$(fingerprint "$tree")" = "$before" ] || { echo "the checker changed the tree"; return 1; }
}

