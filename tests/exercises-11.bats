#!/usr/bin/env bats
# Chapter 11's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 11.1 (where the serial fraction comes from): its checker fails untouched and passes with its solution" {
    prove 11.1
}

@test "Exercise 11.3 (two chunks in flight): its checker fails untouched and passes with its solution" {
    prove 11.3
}

@test "Exercise 11.4 (broadcast or scatter the matrix): its checker fails untouched and passes with its solution" {
    prove 11.4
}
