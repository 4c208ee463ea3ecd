#!/usr/bin/env bash
# Exercise 7.4 (priorities as a scheduler): mq_queue's producers send every
# tenth message with priority 5 and the others with 0, and the measurement
# still receives every message exactly once. Seen from outside with strace
# (the priority of each mq_send, the producer and number in its first bytes).
. tests/lib/exercise.bash
build chapter07/mq_queue
command -v strace >/dev/null || fail "strace is needed to see the priorities sent (apt-get install strace)"
command -v python3 >/dev/null || fail "python3 is needed to read strace's output"
strace -f -qq -xx -e trace=mq_timedsend -o "$CHECK_TMP/trace" \
    "$CHECK_BUILD/chapter07/mq_queue" --measure --producers 2 --bytes 64 --items 200 \
    --placement one-core --repeat 1 >"$CHECK_TMP/out" 2>&1 ||
    fail "mq_queue --measure fails: $(tail -n 2 "$CHECK_TMP/out" | tr '\n' ' ')"
verdict=$(python3 - "$CHECK_TMP/trace" <<'PY'
import re, sys
def no(why):
    print(why)
    sys.exit(1)
sends = []
for line in open(sys.argv[1]):
    m = re.search(r'mq_timedsend\(\d+, "((?:\\x[0-9a-f]{2})+)"(?:\.\.\.)?, (\d+), (\d+),', line)
    if m:
        raw = bytes(int(h, 16) for h in re.findall(r'\\x([0-9a-f]{2})', m.group(1)))
        producer = int.from_bytes(raw[0:4], "little")
        seq = int.from_bytes(raw[8:16], "little")
        sends.append((producer, seq, int(m.group(3))))
if len(sends) != 400:
    no("strace saw %d sends, not the 400 of 2 producers x 200" % len(sends))
prios = sorted({p for _, _, p in sends})
if prios != [0, 5]:
    no("the priorities sent are %s, not 0 and 5" % prios)
high = [s for s in sends if s[2] == 5]
if len(high) != 40:
    no("%d of 400 messages went with priority 5, not every tenth (40)" % len(high))
if len({seq % 10 for _, seq, _ in high}) != 1 or len({pr for pr, _, _ in high}) != 2:
    no("the priority-5 messages are not every tenth message of each producer")
print("every tenth message of each producer with priority 5 (40 of 400), the rest with 0")
PY
)  || fail "$verdict"
pass "$verdict; every message received exactly once"
