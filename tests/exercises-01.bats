#!/usr/bin/env bats
# Chapter 1's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 1.2 (vfork): its checker fails untouched and passes with its solution" {
    prove 1.2
}

@test "Exercise 1.3 (the copy made real): its checker fails untouched and passes with its solution" {
    prove 1.3
}

@test "Exercise 1.4 (shared after all): its checker fails untouched and passes with its solution" {
    prove 1.4
}

@test "Exercise 1.6 (a thread changes the next fork): its checker fails untouched and passes with its solution" {
    prove 1.6
}

@test "Exercise 1.1 (huge pages): its checker fails untouched and passes with its solution" {
    prove 1.1
}
