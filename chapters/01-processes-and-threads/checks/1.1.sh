#!/usr/bin/env bash
# Exercise 1.1 (huge pages): your count, in
# chapters/01-processes-and-threads/answers/1.1.txt, of the page table
# entries 1 GiB needs when it is mapped with huge pages (a line
# `page_table_entries: N`). The checker works it out from this machine's own
# huge page size (Hugepagesize in /proc/meminfo) and wants it exactly. The
# fork times the exercise also asks for depend on whether the kernel gives
# huge pages at all, so they are not checked.
. tests/lib/exercise.bash
answer=chapters/01-processes-and-threads/answers/1.1.txt
[ -f "$answer" ] || fail "write your answer in $answer first (a line 'page_table_entries: N')"
said=$(answer "$answer" page_table_entries | tr -d ' ')
[[ "$said" =~ ^[0-9]+$ ]] || fail "$answer needs a line 'page_table_entries: N' with a number"
huge_kib=$(awk '/^Hugepagesize:/ { print $2 }' /proc/meminfo)
if ! [[ "$huge_kib" =~ ^[1-9][0-9]*$ ]]; then
    fail "this kernel reports no Hugepagesize in /proc/meminfo"
fi
entries=$((1024 * 1024 / huge_kib))
[ "$said" -eq "$entries" ] ||
    fail "you said $said; 1 GiB in huge pages of $huge_kib KiB (this machine's) needs $entries entries, one per huge page"
pass "1 GiB in $huge_kib KiB pages needs $entries entries (against $((1024 * 1024 / 4)) with 4 KiB pages)"
