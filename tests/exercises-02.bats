#!/usr/bin/env bats
# Chapter 2's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 2.1 (measure the slice): its checker fails untouched and passes with its solution" {
    prove 2.1
}

@test "Exercise 2.4 (sleep is not work): its checker fails untouched and passes with its solution" {
    prove 2.4
}

@test "Exercise 2.5 (count the preemptions): its checker fails untouched and passes with its solution" {
    prove 2.5
}
