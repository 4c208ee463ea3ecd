#!/usr/bin/env bats
# Chapter 6's exercise checkers, proven: each fails on the untouched workbook
# and passes with its solution (tests/lib/prove.bash).

load lib/helpers
load lib/prove

@test "Exercise 6.1 (who else holds it?): its checker fails untouched and passes with its solution" {
    prove 6.1
}

@test "Exercise 6.2 (yes | head -1): its checker fails untouched and passes with its solution" {
    prove 6.2
}

@test "Exercise 6.3 (a bigger pipe): its checker fails untouched and passes with its solution" {
    prove 6.3
}

@test "Exercise 6.4 (torn on purpose): its checker fails untouched and passes with its solution" {
    prove 6.4
}
