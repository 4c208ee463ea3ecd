#!/usr/bin/env bash
# Exercise 8.5 (huge pages): your two figures, in
# chapters/08-shared-memory/answers/8.5.txt: the faults per 4 KiB page of a
# fresh huge-page mapping (`fresh_faults_per_page: X`, a number or a
# fraction like 1/512) and what a forked child's first write to a shared
# huge page costs per 4 KiB page (`cow_first_faults_per_page: Y`). The
# checker runs cow_cost --pages huge itself and wants both within 10% of
# what this kernel does; where it gives no transparent huge pages (enabled
# reads [never]) it works the figures out from the page sizes instead, and
# says so.
. tests/lib/exercise.bash
answer=chapters/08-shared-memory/answers/8.5.txt
[ -f "$answer" ] || fail "write your answer in $answer first (lines 'fresh_faults_per_page: X' and 'cow_first_faults_per_page: Y')"
# value KEY: the answer's number for KEY, a fraction worked out.
value() {
    answer "$answer" "$1" | tr -d ' ' |
        awk -F/ 'NF == 1 && $1 ~ /^[0-9.]+$/ { print $1; exit } NF == 2 && $1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ && $2 > 0 { printf "%.6f\n", $1 / $2; exit }'
}
fresh=$(value fresh_faults_per_page)
first=$(value cow_first_faults_per_page)
if [ -z "$fresh" ] || [ -z "$first" ]; then
    fail "$answer needs the lines 'fresh_faults_per_page: X' and 'cow_first_faults_per_page: Y' with numbers (or fractions)"
fi
if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
    # No huge pages to measure: what the kernel does with them, from its
    # page sizes (one fault per huge page; since Linux 5.8 a write to a
    # shared huge page copies one 4 KiB page).
    how="worked out, not measured: this kernel gives no transparent huge pages ([never])"
    got_fresh=$(awk -v p="$(getconf PAGESIZE)" '/^Hugepagesize:/ { printf "%.6f\n", p / ($2 * 1024) }' /proc/meminfo)
    got_first=1
else
    how="measured by cow_cost --mib 16 --pages huge"
    build chapter08/cow_cost
    data=$CHECK_TMP/cow.tsv
    "$CHECK_BUILD/chapter08/cow_cost" --mib 16 --pages huge --data "$data" >"$CHECK_TMP/out" 2>&1 ||
        fail "cow_cost --mib 16 --pages huge fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
    got_fresh=$(column "$data" fresh_faults_per_page)
    got_first=$(column "$data" cow_first_faults_per_page)
fi
# near SAID GOT: within 10% of each other.
near() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(b > 0 && a / b > 0.9 && a / b < 1.1) }'; }
near "$fresh" "$got_fresh" ||
    fail "a fresh huge-page mapping faulted $got_fresh times per 4 KiB page here; you said $fresh"
near "$first" "$got_first" ||
    fail "the child's first write faulted $got_first times per 4 KiB page here (kernel $(uname -r)); you said $first"
pass "fresh huge pages: $got_fresh faults per 4 KiB page (one per huge page); the child's first write: $got_first per page, as you said ($how)"
