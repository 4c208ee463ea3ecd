#!/usr/bin/env bats
# Chapter 3's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 3.1 (predict, then measure): its checker fails untouched and passes with its solution" {
    prove 3.1
}

@test "Exercise 3.3 (no forced switching): its checker fails untouched and passes with its solution" {
    prove 3.3
}

@test "Exercise 3.5 (what a tick is): its checker fails untouched and passes with its solution" {
    prove 3.5
}
