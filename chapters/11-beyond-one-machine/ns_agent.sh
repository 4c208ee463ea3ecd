#!/usr/bin/env bash
# ns_agent.sh - what two_hosts.sh gives Open MPI in place of ssh (its
# plm_rsh_agent): "ns_agent.sh HOST COMMAND..." runs COMMAND in the network
# namespace that plays HOST, on the cores that host has, as ssh would run it
# on that host. The map from host to namespace and cores is in WB11_HOST_NS
# ("10.211.0.1=wb11-a@0,10.211.0.2=wb11-b@1").
set -euo pipefail
while [ $# -gt 0 ] && [[ "$1" == -* ]]; do shift; done     # ssh's options, if any
[ $# -ge 2 ] || { echo "usage: ns_agent.sh HOST COMMAND..." >&2; exit 2; }
host=$1
shift
ns='' cores=''
IFS=, read -r -a entries <<<"${WB11_HOST_NS:?WB11_HOST_NS is not set (two_hosts.sh sets it)}"
for entry in "${entries[@]}"; do
    if [ "${entry%%=*}" = "$host" ]; then
        ns=${entry#*=}
        cores=${ns#*@}
        ns=${ns%@*}
    fi
done
[ -n "$ns" ] || { echo "ns_agent.sh: no namespace plays host $host" >&2; exit 1; }
# As ssh does: the words of the command, joined, run by a shell on the host.
exec ip netns exec "$ns" taskset -c "$cores" /bin/sh -c "$*"
