#!/usr/bin/env bash
# two_hosts.sh - two hosts on one machine: two network namespaces joined by
# a veth pair (a virtual cable), and an MPI job with one rank on each, their
# messages over TCP across the cable. Optionally with a delay on the cable
# (tc netem), to see what a real network's latency does.
#
#   two_hosts.sh [--delay D] [--np N] [--check] -- PROGRAM [ARGS...]
#
#   --delay D   a delay each way on the cable (0.1ms, 1ms, 10ms...): a round
#               trip then takes 2 D more. Default: none. With tc netem where
#               the kernel has it (sch_netem); where it does not, the cable
#               is a pair of TUN devices joined by link_delay (the chapter's
#               delay line in user space: $BIN/link_delay, or $LINK_DELAY).
#   --np N      ranks (default 2), dealt out in turn to the two hosts
#   --check     only say whether this machine can make the namespaces, the
#               cable and (with --delay) the delay; status 0 if it can, 1
#               with the reason if not. Nothing is launched.
#
# Made: namespaces wb11-PID-a and wb11-PID-b (10.211.0.1 and 10.211.0.2),
# the veth pair between them (or the TUN devices and link_delay). Removed on every way out (normal end, error,
# SIGINT, SIGTERM, SIGHUP): every process left in a namespace is killed,
# then the namespaces go, and the cable with them. Needs root (CAP_NET_ADMIN).
#
# mpirun runs in the first namespace; to start the rank on the other "host"
# it uses ns_agent.sh in place of ssh, which enters that namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() {
    echo "usage: two_hosts.sh [--delay D] [--np N] [--check] -- PROGRAM [ARGS...]" >&2
    exit 2
}
delay='' np=2 check=''
while [ $# -gt 0 ]; do
    case "$1" in
        --delay) [ $# -ge 2 ] || usage; delay=$2; shift 2 ;;
        --np) [ $# -ge 2 ] || usage; np=$2; shift 2 ;;
        --check) check=1; shift ;;
        --help | -h)    # the comment at the top of this file, as help
            sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
            exit 0 ;;
        --) shift; break ;;
        *) echo "two_hosts.sh: unknown option '$1'" >&2; usage ;;
    esac
done
if [ -n "$delay" ] && ! [[ "$delay" =~ ^[0-9]+(\.[0-9]+)?(us|ms|s)$ ]]; then
    echo "two_hosts.sh: --delay: '$delay' is not a duration like 0.1ms" >&2
    usage
fi
[[ "$np" =~ ^[1-9][0-9]?$ ]] || { echo "two_hosts.sh: --np: '$np' is not a number of ranks" >&2; usage; }
[ -n "$check" ] || [ $# -ge 1 ] || usage

ns_a=wb11-$$-a ns_b=wb11-$$-b
veth_a=wb11a$$ veth_b=wb11b$$
addr_a=10.211.0.1 addr_b=10.211.0.2
link_delay=${LINK_DELAY:-${BIN:-build/chapter11}/link_delay}
delay_pid=""

# Every process still in a namespace, then the namespaces (the veth pair
# goes with them). Safe to run twice, and when nothing was made yet.
# shellcheck disable=SC2317 # called by the traps
remove_hosts() {
    local ns pids
    if [ -n "$delay_pid" ]; then              # the delay line: its TUN devices go with it
        kill -TERM "$delay_pid" 2>/dev/null || true
        wait "$delay_pid" 2>/dev/null || true
    fi
    for ns in "$ns_a" "$ns_b"; do
        [ -e "/run/netns/$ns" ] || continue
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        # shellcheck disable=SC2086 # one word per PID
        [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    ip link del "$veth_a" 2>/dev/null || true
}
# On a signal: mpirun is asked to end its job first (SIGTERM: it stops its
# ranks and cleans up after them), then whatever is left is killed.
mpirun_pid=""
# shellcheck disable=SC2317 # called by the traps
stop() {
    if [ -n "$mpirun_pid" ]; then
        kill -TERM "$mpirun_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$mpirun_pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    exit "$1"
}
trap remove_hosts EXIT
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop 129' HUP

# Make them; the first failure says which step this machine cannot do.
step() {
    local what=$1
    shift
    if ! out=$("$@" 2>&1); then
        echo "two_hosts.sh: cannot $what here: ${out:-"$* failed"}" >&2
        exit 1
    fi
}
[ "$(id -u)" -eq 0 ] || { echo "two_hosts.sh: cannot make network namespaces here: not root" >&2; exit 1; }
command -v ip >/dev/null || { echo "two_hosts.sh: cannot make network namespaces here: no ip command (iproute2)" >&2; exit 1; }
step "make network namespaces" ip netns add "$ns_a"
step "make network namespaces" ip netns add "$ns_b"
step "configure the namespace" ip -n "$ns_a" link set lo up
step "configure the namespace" ip -n "$ns_b" link set lo up
# The cable: a veth pair, with netem on both ends for a delay; or, for a
# delay on a kernel without netem, two TUN devices and the delay line.
link="a veth pair"
if [ -n "$delay" ]; then
    if ip netns exec "$ns_a" tc qdisc add dev lo root netem delay "$delay" 2>/dev/null; then
        ip netns exec "$ns_a" tc qdisc del dev lo root
        link="a veth pair, tc netem delay $delay each way"
    else
        [ -x "$link_delay" ] || { echo "two_hosts.sh: cannot delay the link here: this kernel has no tc netem (sch_netem), and $link_delay is not built" >&2; exit 1; }
        link="TUN devices and link_delay, delay $delay each way (this kernel has no tc netem)"
    fi
fi
if [[ "$link" == TUN* ]]; then
    dev_a=wb11ta$$ dev_b=wb11tb$$
    ready=$(mktemp)
    "$link_delay" --ns-a "$ns_a" --ns-b "$ns_b" --dev-a "$dev_a" --dev-b "$dev_b" --delay "$delay" >"$ready" &
    delay_pid=$!
    for _ in $(seq 100); do
        grep -q '^ready' "$ready" && break
        kill -0 "$delay_pid" 2>/dev/null || break
        sleep 0.05
    done
    grep -q '^ready' "$ready" || { rm -f "$ready"; echo "two_hosts.sh: cannot delay the link here: link_delay did not start" >&2; exit 1; }
    rm -f "$ready"
    # The ranks spin on their cores while they wait for a message; a cable
    # in user space needs a core too. Let them yield it while they wait.
    export OMPI_MCA_mpi_yield_when_idle=1
    for side in a b; do
        ns=ns_$side dev=dev_$side addr=addr_$side peer=addr_$([ $side = a ] && echo b || echo a)
        step "configure the namespace" ip -n "${!ns}" addr add "${!addr}" peer "${!peer}" dev "${!dev}"
        step "configure the namespace" ip -n "${!ns}" link set "${!dev}" up
    done
else
    step "make a veth pair" ip link add "$veth_a" type veth peer name "$veth_b"
    step "move a veth end into a namespace" ip link set "$veth_a" netns "$ns_a"
    step "move a veth end into a namespace" ip link set "$veth_b" netns "$ns_b"
    for side in a b; do
        ns=ns_$side veth=veth_$side addr=addr_$side
        step "configure the namespace" ip -n "${!ns}" addr add "${!addr}/24" dev "${!veth}"
        step "configure the namespace" ip -n "${!ns}" link set "${!veth}" up
        if [ -n "$delay" ]; then
            step "delay the link with tc netem" ip netns exec "${!ns}" tc qdisc add dev "${!veth}" root netem delay "$delay"
        fi
    done
fi
if [ -n "$check" ]; then
    echo "two hosts: $ns_a ($addr_a) and $ns_b ($addr_b), joined by $link"
    exit 0
fi
echo "two hosts: $addr_a and $addr_b, joined by $link" >&2

# Like two machines, each host has cores of its own: the first half of
# this machine's, and the second half (on one core, both share it).
cores=$(nproc)
cores_a=0-$(((cores + 1) / 2 - 1)) cores_b=$((cores / 2))-$((cores - 1))
[ "$cores" -gt 1 ] || cores_b=0
hosts=$addr_a:$(((np + 1) / 2)),$addr_b:$((np / 2))
export WB11_HOST_NS="$addr_a=$ns_a@$cores_a,$addr_b=$ns_b@$cores_b"
export OMPI_MCA_plm_rsh_agent="$here/ns_agent.sh"
# Not exec, and in the background: this shell stays to remove the hosts,
# and `wait` returns at once when a signal comes (ip netns exec, taskset and
# mpi_run.sh each exec the next: $! is mpirun).
ip netns exec "$ns_a" taskset -c "$cores_a" "$here/mpi_run.sh" --np "$np" --transport tcp \
    --if 10.211.0.0/24 --hosts "$hosts" -- "$@" &
mpirun_pid=$!
status=0
wait "$mpirun_pid" || status=$?
mpirun_pid=""
exit "$status"
