#!/usr/bin/env bash
# Make sure the tools the workbook needs are on this machine.
#
#   .ci/deps.sh TOOL...      e.g.  .ci/deps.sh gcc gnuplot bats
#
# For each TOOL not found on PATH, the matching Debian/Ubuntu package is
# installed with apt-get when we are root or have passwordless sudo.
# Otherwise one line says exactly what to install, and the status is 1.
set -euo pipefail

package_for() {
    case "$1" in
        cc | gcc | make) echo build-essential ;;
        clang) echo clang ;;
        gnuplot) echo gnuplot-nox ;;
        bats) echo bats ;;
        shellcheck) echo shellcheck ;;
        python3) echo python3 ;;
        *) echo "$1" ;;
    esac
}

missing=()
for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$(package_for "$tool")")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# One package may stand for several tools (gcc and make): install it once.
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "missing tools: please run  sudo apt-get install ${packages[*]}" >&2
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
