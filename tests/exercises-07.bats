#!/usr/bin/env bats
# Chapter 7's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 7.2 (capacity): its checker fails untouched and passes with its solution" {
    prove 7.2
}

@test "Exercise 7.3 (more consumers than pills): its checker fails untouched and passes with its solution" {
    prove 7.3
}

@test "Exercise 7.4 (priorities as a scheduler): its checker fails untouched and passes with its solution" {
    prove 7.4
}
