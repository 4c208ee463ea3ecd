#!/usr/bin/env bash
# Exercise 4.6 (a slow API): answers/4.6.txt predicts, on a line
# 'seconds S', how long 16 requests sent at once take from an api_server
# with --latency 500ms --sd 200ms. The server draws each item's latency from
# its seed, so the slowest of items 1 to 16 is the same on any machine; the
# checker sends the 16 requests with curl itself, takes the longest time
# curl reports, and accepts a prediction within 20% of it (the server's
# draws are fixed; what is left is the machine's load).
. tests/lib/exercise.bash
answer=chapters/04-io-vs-cpu/answers/4.6.txt
[ -f "$answer" ] || fail "no $answer: write your prediction on a line 'seconds S'"
predicted=$(awk '$1 == "seconds" { print $2; exit }' "$answer")
[[ "$predicted" =~ ^[0-9]*[.]?[0-9]+$ ]] || fail "$answer has no line 'seconds S' with a number"
command -v curl >/dev/null || fail "curl is needed to send the requests (apt-get install curl)"
build chapter04/api_server
"$CHECK_BUILD/chapter04/api_server" --latency 500ms --sd 200ms >"$CHECK_TMP/server" 2>&1 &
server=$!
# shellcheck disable=SC2317 # run by the EXIT trap
stop() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }
trap stop EXIT
port=
for _ in $(seq 100); do
    port=$(sed -n 's|^listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$CHECK_TMP/server")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || fail "api_server did not say where it listens: $(head -n 2 "$CHECK_TMP/server" | tr '\n' ' ')"
clients=()
for i in $(seq 16); do
    curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/item/$i" >"$CHECK_TMP/time-$i" &
    clients+=($!)
done
for c in "${clients[@]}"; do wait "$c" || fail "a request to the server failed"; done
# The batch ends with its slowest request: the longest time curl reports
# (curl's own start-up, which a loaded machine stretches, left out).
measured=$(cat "$CHECK_TMP"/time-* | sort -g | tail -n 1 | awk '{ printf "%.3f", $1 }')
awk -v p="$predicted" -v m="$measured" 'BEGIN { exit !(p >= 0.8 * m && p <= 1.2 * m) }' ||
    fail "you predicted $predicted s for 16 requests at once; measured $measured s (within 20% passes)"
pass "you predicted $predicted s; the 16 requests took $measured s: as long as the slowest one"
