#!/usr/bin/env bats
# Chapter 4's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 4.1 (beyond one task per thread): its checker fails untouched and passes with its solution" {
    prove 4.1
}

@test "Exercise 4.3 (one core): its checker fails untouched and passes with its solution" {
    prove 4.3
}

@test "Exercise 4.6 (a slow API): its checker fails untouched and passes with its solution" {
    prove 4.6
}
