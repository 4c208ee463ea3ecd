#!/usr/bin/env bats
# Chapter 10's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 10.1 (the GIL's share): its checker fails untouched and passes with its solution" {
    prove 10.1
}

@test "Exercise 10.2 (no failures): its checker fails untouched and passes with its solution" {
    prove 10.2
}

@test "Exercise 10.3 (more threads): its checker fails untouched and passes with its solution" {
    prove 10.3
}

@test "Exercise 10.5 (chunks to the rescue): its checker fails untouched and passes with its solution" {
    prove 10.5
}
