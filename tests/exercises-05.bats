#!/usr/bin/env bats
# Chapter 5's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 5.1 (order): its checker fails untouched and passes with its solution" {
    prove 5.1
}

@test "Exercise 5.4 (big arguments): its checker fails untouched and passes with its solution" {
    prove 5.4
}

@test "Exercise 5.5 (stop, for real): its checker fails untouched and passes with its solution" {
    prove 5.5
}

@test "Exercise 5.6 (Python's view): its checker fails untouched and passes with its solution" {
    prove 5.6
}
