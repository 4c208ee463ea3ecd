#!/usr/bin/env bats
# The course kit's checkers are proven: each fails on the untouched workbook
# and passes once its solution (chapters/NN-*/solutions/N.M.patch) is applied,
# each in a copy of the tree of its own, and leaves the tree as it found it.

load lib/helpers

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

@test "every checker has a solution, and every solution a checker, named by the exercise" {
    local found=0
    for checker in chapters/*/checks/*.sh; do
        id=$(basename "$checker" .sh)
        [ -f "$(dirname "$checker")/../solutions/$id.patch" ] || { echo "no solution for $id"; return 1; }
        found=$((found + 1))
    done
    for solution in chapters/*/solutions/*.patch; do
        id=$(basename "$solution" .patch)
        [ -f "$(dirname "$solution")/../checks/$id.sh" ] || { echo "no checker for $id"; return 1; }
    done
    [ "$found" -gt 0 ]
}

@test "every checker is named in its chapter as make check-exercise EX=N.M, under its exercise" {
    for checker in chapters/*/checks/*.sh; do
        id=$(basename "$checker" .sh)
        md=$(dirname "$checker")/../README.md
        grep -q "^### Exercise $id" "$md" || { echo "$md has no '### Exercise $id'"; return 1; }
        grep -q "make check-exercise EX=$id\b" "$md" || { echo "$md does not say how to check $id"; return 1; }
    done
}

@test "every checker is proven below (a prove line per checker)" {
    for checker in chapters/*/checks/*.sh; do
        id=$(basename "$checker" .sh)
        grep -q "^    prove $id\$" tests/exercises.bats || { echo "no 'prove $id' in tests/exercises.bats"; return 1; }
    done
}

@test "make check-exercise: an unknown exercise exits 2, naming it" {
    run "$KIT" check 99.9
    [ "$status" -eq 2 ]
    assert_contains "Exercise 99.9: unknown"
    run "$KIT" check nonsense
    [ "$status" -eq 2 ]
    run "$KIT"
    [ "$status" -eq 2 ]
    assert_contains "usage:"
}

@test "Exercise 1.2 (vfork): its checker fails untouched and passes with its solution" {
    prove 1.2
}

@test "Exercise 1.3 (the copy made real): its checker fails untouched and passes with its solution" {
    prove 1.3
}

@test "Exercise 1.4 (shared after all): its checker fails untouched and passes with its solution" {
    prove 1.4
}

@test "make student-edition: the texts keep every exercise and prediction, lose every folded answer and solution" {
    local out=$BATS_TEST_TMPDIR/student answers
    answers=$(cat chapters/*/README.md | grep -cE '^[[:space:]]*<details><summary>(Answer|Model answer)' || true)
    [ "$answers" -gt 0 ]
    run tests/lib/student-edition.sh "$out"
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    assert_contains "$answers answers folded away"
    ! grep -rqE '<summary>(Answer|Model answer)' "$out" --include='*.md'
    [ -z "$(find "$out"/chapters -path '*/solutions/*')" ]
    for md in chapters/*/README.md; do
        [ "$(grep -c '^### Exercise ' "$md")" = "$(grep -c '^### Exercise ' "$out/$md")" ] || { echo "$md lost an exercise"; return 1; }
        [ "$(grep -c 'Predict\.' "$md")" = "$(grep -c 'Predict\.' "$out/$md")" ] || { echo "$md lost a prediction"; return 1; }
    done
    [ -x "$out/tests/lib/exercise.sh" ] && [ -f "$out/chapters/01-processes-and-threads/checks/1.2.sh" ]
    run tests/lib/student-edition.sh chapters/x
    [ "$status" -eq 2 ]
}
