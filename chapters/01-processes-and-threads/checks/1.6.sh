#!/usr/bin/env bash
# Exercise 1.6 (a thread changes the next fork): your count, in
# chapters/01-processes-and-threads/answers/1.6.txt, of the mappings a
# process gains by creating and joining one thread (a line
# `mappings_added: N`). The checker counts them itself, the way the exercise
# says (the lines of /proc/self/maps before and after, in a small program it
# builds in its scratch folder), and wants your count exactly: glibc keeps
# the joined thread's stack, and what it maps for it is the same on every run.
. tests/lib/exercise.bash
answer=chapters/01-processes-and-threads/answers/1.6.txt
[ -f "$answer" ] || fail "write your answer in $answer first (a line 'mappings_added: N')"
said=$(answer "$answer" mappings_added | tr -d ' ')
[[ "$said" =~ ^[0-9]+$ ]] || fail "$answer needs a line 'mappings_added: N' with a number"

cat >"$CHECK_TMP/maps.c" <<'C'
#include <pthread.h>
#include <stdio.h>
static void *nothing(void *arg) { return arg; }
static int mappings(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return -1;
    int lines = 0;
    for (int c; (c = fgetc(maps)) != EOF;)
        lines += c == '\n';
    fclose(maps);
    return lines;
}
int main(void)
{
    int before = mappings();
    pthread_t thread;
    if (pthread_create(&thread, NULL, nothing, NULL) != 0 || pthread_join(thread, NULL) != 0)
        return 1;
    int after = mappings();
    if (before < 0 || after < 0)
        return 1;
    printf("%d\n", after - before);
    return 0;
}
C
cc -std=c11 -pthread -O1 -o "$CHECK_TMP/maps" "$CHECK_TMP/maps.c" 2>"$CHECK_TMP/cc.log" ||
    fail "the checker's own probe does not build: $(head -n 3 "$CHECK_TMP/cc.log" | tr '\n' ' ')"
counted=$("$CHECK_TMP/maps") || fail "the checker's probe failed to make and join a thread"
[ "$said" -eq "$counted" ] ||
    fail "you said $said mappings; one thread made and joined leaves $counted more lines in /proc/self/maps here"
pass "one thread made and joined leaves $counted more mappings, as you said: every later fork copies them"
