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
