#!/usr/bin/env bats
# Chapter 9's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 9.2 (predict the forced schedule): its checker fails untouched and passes with its solution" {
    prove 9.2
}

@test "Exercise 9.4 (padding): its checker fails untouched and passes with its solution" {
    prove 9.4
}

@test "Exercise 9.5 (three locks): its checker fails untouched and passes with its solution" {
    prove 9.5
}

@test "Exercise 9.8 (what ThreadSanitizer sees): its checker fails untouched and passes with its solution" {
    prove 9.8
}

@test "Exercise 9.10 (volatile is not atomic): its checker fails untouched and passes with its solution" {
    prove 9.10
}

@test "Exercise 9.11 (a fence instead): its checker fails untouched and passes with its solution" {
    prove 9.11
}
