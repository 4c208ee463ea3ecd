#!/usr/bin/env bash
# mpi_run.sh - mpirun with this chapter's settings, in one place: every MPI
# run of the chapter (run.sh, two_hosts.sh, the tests) goes through here.
#
#   mpi_run.sh [--np N] [--transport shm|tcp] [--timeout SECONDS]
#              [--hosts ADDR,ADDR] [--if SUBNET] -- PROGRAM [ARGS...]
#
#   --np N          ranks (default 2). Up to the cores, each rank is bound to
#                   a core of its own (as chapters 6 and 8 pin); beyond them
#                   the ranks share the cores (--oversubscribe), unbound.
#   --transport T   shm: Open MPI's shared-memory transport (btl vader);
#                   tcp: its TCP transport (btl tcp), over loopback unless
#                   --hosts says otherwise. Both with the ob1 messaging layer,
#                   so that Open MPI cannot pick another (UCX) on its own.
#   --timeout S     the whole job is ended after S seconds (default 120):
#                   a rank that hangs cannot hang the run.
#   --hosts A,B     one rank per host, on these hosts (two_hosts.sh uses it
#                   with the addresses of two network namespaces)
#   --if SUBNET     the network Open MPI's TCP may use (default: loopback)
#
# As root, mpirun refuses to run unless told it may: --allow-run-as-root.
# The exit status is mpirun's: 0 when every rank returned 0; when one fails
# or dies, mpirun names it, ends the others, and returns non-zero.
set -euo pipefail

usage() {
    echo "usage: mpi_run.sh [--np N] [--transport shm|tcp] [--timeout SECONDS] [--hosts A,B] [--if SUBNET] -- PROGRAM [ARGS...]" >&2
    exit 2
}
bad() {
    echo "mpi_run.sh: $*" >&2
    usage
}

np=2 transport=shm timeout=120 hosts='' subnet=''
while [ $# -gt 0 ]; do
    case "$1" in
        --np) [ $# -ge 2 ] || bad "--np needs a value"; np=$2; shift 2 ;;
        --transport) [ $# -ge 2 ] || bad "--transport needs a value"; transport=$2; shift 2 ;;
        --timeout) [ $# -ge 2 ] || bad "--timeout needs a value"; timeout=$2; shift 2 ;;
        --hosts) [ $# -ge 2 ] || bad "--hosts needs a value"; hosts=$2; shift 2 ;;
        --if) [ $# -ge 2 ] || bad "--if needs a value"; subnet=$2; shift 2 ;;
        --help | -h)    # the comment at the top of this file, as help
            sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
            exit 0 ;;
        --) shift; break ;;
        *) bad "unknown option '$1'" ;;
    esac
done
[[ "$np" =~ ^[1-9][0-9]?$ ]] || bad "--np: '$np' is not a number of ranks from 1 to 99"
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || bad "--timeout: '$timeout' is not a whole number of seconds"
case "$transport" in
    shm) btl=self,vader ;;
    tcp) btl=self,tcp ;;
    *) bad "--transport: '$transport' is not shm or tcp" ;;
esac
[ $# -ge 1 ] || bad "no PROGRAM after --"

args=(--np "$np" --timeout "$timeout" --mca pml ob1 --mca btl "$btl")
[ "$(id -u)" -eq 0 ] && args+=(--allow-run-as-root)
cores=$(nproc)
if [ -n "$hosts" ]; then
    # Ranks dealt out to the hosts in turn; each host's processes stay on
    # the cores it was given (two_hosts.sh), not bound by Open MPI, which
    # would bind the first rank of every host to core 0.
    args+=(--host "$hosts" --map-by node --bind-to none)
elif [ "$np" -le "$cores" ]; then
    args+=(--map-by core --bind-to core)
else
    args+=(--oversubscribe --bind-to none)
fi
if [ "$transport" = tcp ]; then
    args+=(--mca btl_tcp_if_include "${subnet:-lo}")
fi
[ -n "$subnet" ] && args+=(--mca oob_tcp_if_include "$subnet")

# Quiet about the network cards this machine does not have (InfiniBand,
# libfabric), which Open MPI would otherwise probe and warn about.
export OMPI_MCA_btl_base_warn_component_unused=0
export OMPI_MCA_osc=^ucx OMPI_MCA_mtl=^ofi,psm,psm2
exec mpirun "${args[@]}" "$@"
