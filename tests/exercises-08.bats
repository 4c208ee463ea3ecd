#!/usr/bin/env bats
# Chapter 8's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 8.1 (the pickle tax): its checker fails untouched and passes with its solution" {
    prove 8.1
}

@test "Exercise 8.3 (left behind): its checker fails untouched and passes with its solution" {
    prove 8.3
}

@test "Exercise 8.4 (writable sharing): its checker fails untouched and passes with its solution" {
    prove 8.4
}

@test "Exercise 8.5 (huge pages): its checker fails untouched and passes with its solution" {
    prove 8.5
}
