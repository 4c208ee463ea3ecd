#!/usr/bin/env bash
# Exercise 6.1 (who else holds it?): with the loop that closes every pipe end
# in the children removed, `pipeline 'seq 1 10' 'cat'` never ends, and
# chapters/06-pipes/answers/6.1.txt names the process that holds the write
# end cat waits on (a line `holder: NAME`). The checker runs the pipeline,
# finds cat's standard input (a pipe) and looks in /proc at every process of
# the pipeline for that pipe opened for writing; the answer must name those
# holders and no other. The run is ended by the checker.
. tests/lib/exercise.bash
answer=chapters/06-pipes/answers/6.1.txt
build chapter06/pipeline
prog=$CHECK_BUILD/chapter06/pipeline

"$prog" 'seq 1 10' 'cat' >"$CHECK_TMP/out" 2>&1 &
pid=$!
finish() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap finish EXIT

# The pipe on its standard input, once it has exec'd.
# children PID: its children's pids, one per line (from every process's
# stat: the parent's pid is the second field after the command's ')').
children() {
    local stat rest ppid p
    for stat in /proc/[0-9]*/stat; do
        rest=$(cat "$stat" 2>/dev/null) || continue
        rest=${rest##*) }
        read -r _ ppid _ <<<"$rest"
        [ "$ppid" = "$1" ] && { p=${stat#/proc/}; echo "${p%/stat}"; }
    done
    return 0
}
pipe=''
for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    while read -r child; do
        [ -n "$child" ] && [ "$(cat /proc/"$child"/comm 2>/dev/null)" = cat ] &&
            pipe=$(readlink /proc/"$child"/fd/0 2>/dev/null || true)
    done < <(children "$pid")
    [[ "$pipe" == pipe:* ]] && break
    sleep 0.1
done
sleep 0.5
if ! kill -0 "$pid" 2>/dev/null; then
    fail "pipeline 'seq 1 10' 'cat' ended: every write end was closed (remove the loop in the children that closes every pipe end, as the exercise says)"
fi
[[ "$pipe" == pipe:* ]] || fail "found no cat reading a pipe among pipeline's children"
grep -q '^10$' "$CHECK_TMP/out" || fail "cat did not print seq's 10 lines before waiting"

# Every process of the pipeline that holds $pipe open for writing.
holders=()
while read -r p; do
    [ -n "$p" ] || continue
    for fd in /proc/"$p"/fd/*; do
        [ "$(readlink "$fd" 2>/dev/null)" = "$pipe" ] || continue
        flags=$(awk '/^flags:/ { print $2 }' /proc/"$p"/fdinfo/"${fd##*/}" 2>/dev/null || true)
        if [ -n "$flags" ] && [ $((8#$flags & 3)) -eq 1 ]; then
            name=$(cat /proc/"$p"/comm)
            [ "$p" = "$pid" ] && name=pipeline
            holders+=("$name")
            break
        fi
    done
done < <(echo "$pid"; children "$pid")
finish
trap - EXIT
[ "${#holders[@]}" -gt 0 ] || fail "no process of the pipeline holds the write end of cat's pipe: then cat would have seen end-of-file"
seen=$(printf '%s\n' "${holders[@]}" | sort -u | tr '\n' ' ')

[ -f "$answer" ] || fail "the pipeline hangs; now write who holds the write end in $answer (a line 'holder: NAME')"
said=$(answer "$answer" holder | tr '[:upper:]' '[:lower:]')
[ -n "$said" ] || fail "$answer has no line 'holder: NAME'"
for name in pipeline seq cat; do
    holds=no
    [[ " $seen" == *" $name "* ]] && holds=yes
    named=no
    [[ "$said" =~ (^|[^a-z])$name([^a-z]|$) ]] && named=yes
    if [ "$holds" = yes ] && [ "$named" = no ]; then
        fail "your answer '$said' does not name $name, which holds the write end (the checker found: $seen)"
    fi
    if [ "$holds" = no ] && [ "$named" = yes ]; then
        fail "your answer '$said' names $name, which does not hold the write end (the checker found: $seen)"
    fi
done
pass "the pipeline hangs, and you named what /proc shows holding the write end of cat's pipe: $seen"
