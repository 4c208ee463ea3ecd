#!/usr/bin/env bats
# The course kit: every checker has its solution and its proof (in
# tests/exercises-NN.bats, one per chapter: fails on the untouched workbook,
# passes with the solution, tests/lib/prove.bash), the runner and the student
# edition do what they say.

load lib/helpers

KIT=tests/lib/exercise.sh

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

@test "every checker is proven in tests/exercises-NN.bats (a prove line per checker)" {
    for checker in chapters/*/checks/*.sh; do
        id=$(basename "$checker" .sh)
        number=$(printf '%02d' "${id%%.*}")
        grep -q "^    prove $id\$" "tests/exercises-$number.bats" || { echo "no 'prove $id' in tests/exercises-$number.bats"; return 1; }
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

@test "grade.sh: a class's trees, one row each; a student's own edited checker grades nothing; the trees untouched" {
    local class=$BATS_TEST_TMPDIR/class before
    mkdir -p "$class"
    tar -C . --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . > "$BATS_TEST_TMPDIR/tree.tar"
    for student in ann ben cat; do
        mkdir "$class/$student"
        tar -C "$class/$student" -xf "$BATS_TEST_TMPDIR/tree.tar"
    done
    patch -s -p1 -d "$class/ben" < chapters/01-processes-and-threads/solutions/1.4.patch
    printf '#!/usr/bin/env bash\n. tests/lib/exercise.bash\npass "always"\n' > "$class/cat/chapters/01-processes-and-threads/checks/1.4.sh"
    before=$(cd "$class" && find . -type f -print0 | sort -z | xargs -0 md5sum | md5sum)
    run tests/lib/grade.sh --exercises 1.4 --details "$BATS_TEST_TMPDIR/details" "$class"/ann "$class"/ben "$class"/cat
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
    [[ "${lines[1]}" =~ ^ann\ +fail\ +0/1$ ]] || { echo "$output"; return 1; }
    [[ "${lines[2]}" =~ ^ben\ +pass\ +1/1$ ]] || { echo "$output"; return 1; }
    [[ "${lines[3]}" =~ ^cat\ +fail\ +0/1$ ]] || { echo "$output"; return 1; }
    [ "$(grep -c 'Exercise 1.4: ' "$BATS_TEST_TMPDIR/details")" -eq 3 ]
    [ "$(cd "$class" && find . -type f -print0 | sort -z | xargs -0 md5sum | md5sum)" = "$before" ]
    run tests/lib/grade.sh --exercises 99.1 "$class/ann"
    [ "$status" -eq 2 ]
    run tests/lib/grade.sh "$BATS_TEST_TMPDIR"
    [ "$status" -eq 2 ]
}
