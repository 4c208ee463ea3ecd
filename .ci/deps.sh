#!/usr/bin/env bash
# Make sure the tools the workbook needs are on this machine.
#
#   .ci/deps.sh TOOL...      e.g.  .ci/deps.sh gcc gnuplot bats
#
# For each TOOL not found on PATH, the matching Debian/Ubuntu package is
# installed with apt-get when we are root or have passwordless sudo.
# Otherwise one message says exactly what to install, with a command that
# works here (sudo where it is installed, su -c where it is not), and names
# every package the rest of the workbook will ask for too, so that one
# install is enough; the status is then 1.
set -euo pipefail

# Every tool some target needs (make test needs them all).
ALL_TOOLS=(make cc gnuplot bats python3 curl shellcheck strace pandoc chromium mpicc mpirun ip python3-mpi4py)

package_for() {
    case "$1" in
        cc | gcc | make) echo build-essential ;;
        clang) echo clang ;;
        gnuplot) echo gnuplot-nox ;;
        mpicc) echo libopenmpi-dev ;;     # Open MPI, for chapter 11
        mpirun) echo openmpi-bin ;;
        ip) echo iproute2 ;;              # ip netns, tc: chapter 11's two hosts
        *) echo "$1" ;;    # bats, shellcheck, python3, curl, strace, pandoc, chromium: the package is the tool
    esac
}

# The packages for the tools among "$@" that are not on PATH, one per line, once each.
missing_packages() {
    for tool in "$@"; do
        case "$tool" in
            # mpi4py is a module of Debian's python3, not a command.
            python3-mpi4py) /usr/bin/python3 -c 'import mpi4py' >/dev/null 2>&1 || echo "$tool" ;;
            *) command -v "$tool" >/dev/null 2>&1 || package_for "$tool" ;;
        esac
    done | sort -u
}

mapfile -t packages < <(missing_packages "$@")
[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    mapfile -t everything < <(missing_packages "$@" "${ALL_TOOLS[@]}")
    command="apt-get install ${everything[*]}"
    if command -v sudo >/dev/null 2>&1; then
        how="sudo $command"
    else
        how="su -c '$command'   (as root: this system has no sudo)"
    fi
    echo "missing: ${packages[*]}. To install what the whole workbook needs in one go, run:" >&2
    echo "    $how" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing tools and no apt-get: please install ${packages[*]}" >&2
    exit 1
fi

echo "installing ${packages[*]} with apt-get ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
