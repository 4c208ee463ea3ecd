#!/usr/bin/env bash
# interpreters.sh - real CPython interpreters to run beside the simulated GIL
# (chapter 3), from Debian's archive alone. What `make interpreters` runs.
#
#   python2.7    the old GIL: Debian 11 (bullseye)'s python2.7 package, in a
#                minimal tree made by debootstrap, run through that tree's own
#                dynamic loader and libraries (no chroot: running it needs no
#                root)
#   python3.13   the new GIL, and
#   python3.13t  no GIL (free-threaded): Debian 13 (trixie)'s python3.13
#                source package, built twice with the same plain flags (no
#                profile-guided or link-time optimization, unlike Debian's own
#                binary), the second time with --disable-gil, so the two are
#                fair partners
#
# Each ends up as PREFIX/bin/NAME (PREFIX: $WORKBOOK_INTERPRETERS, default
# /opt/workbook-interpreters), where chapter 3's run.sh looks for them beside
# the interpreters on PATH. Building needs root (debootstrap, apt-get) and
# costs about 1.9 GB of disk and, on 2 cores, about 15 minutes (888 s on the
# 2-vCPU VM the reference data come from). Nothing else on the machine is
# changed but the packages it installs to build; it removes nothing. `make clean-interpreters` removes PREFIX.
#
#   sudo make interpreters        # or: common/interpreters.sh [python2.7|python3.13]...
set -euo pipefail

PREFIX=${WORKBOOK_INTERPRETERS:-/opt/workbook-interpreters}
MIRROR=${WORKBOOK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
JOBS=$(nproc)

say() { printf '\n== %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "interpreters.sh: needs root (debootstrap and apt-get); try: su -c 'make interpreters'" >&2
    exit 1
fi

# python2.7 from Debian 11, in PREFIX/bullseye.
python27() {
    local root=$PREFIX/bullseye
    if [ ! -x "$root/usr/bin/python2.7" ]; then
        say "python2.7: a minimal Debian 11 tree with python2.7 ($root)"
        command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
        debootstrap --variant=minbase --include=python2.7 bullseye "$root" "$MIRROR"
    fi
    mkdir -p "$PREFIX/bin"
    # The tree's own loader and libraries (glibc 2.31 and all), so the binary
    # runs as it does on Debian 11; PYTHONHOME, because started through the
    # loader it cannot find its standard library from its own path.
    cat >"$PREFIX/bin/python2.7" <<WRAPPER
#!/bin/sh
root='$root'
PYTHONHOME=\$root/usr exec "\$root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \\
    --library-path "\$root/lib/x86_64-linux-gnu:\$root/usr/lib/x86_64-linux-gnu" \\
    "\$root/usr/bin/python2.7" "\$@"
WRAPPER
    chmod +x "$PREFIX/bin/python2.7"
    "$PREFIX/bin/python2.7" -c 'import sys, threading, multiprocessing; print("python2.7: " + sys.version.split()[0])'
}

# python3.13 and python3.13t from Debian 13's source package.
python313() {
    local src=$PREFIX/src apt=$PREFIX/apt
    say "python3.13: Debian 13's source package ($src)"
    mkdir -p "$src" "$apt/lists/partial" "$apt/cache/archives/partial"
    echo "deb-src $MIRROR trixie main" >"$apt/sources.list"
    local aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
                   -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
    command -v dpkg-source >/dev/null || apt-get install -y -qq dpkg-dev
    # What CPython's configure looks for, from this machine's own release.
    apt-get install -y -qq --no-install-recommends build-essential pkg-config libssl-dev zlib1g-dev \
        libffi-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev libncurses-dev \
        libgdbm-dev uuid-dev libexpat1-dev quilt >/dev/null
    apt-get "${aptopts[@]}" update -qq
    local tree
    tree=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'python3.13-*' | head -n 1)
    if [ -z "$tree" ]; then
        (cd "$src" && apt-get "${aptopts[@]}" source -qq python3.13)
        tree=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'python3.13-*' | head -n 1)
    fi
    local version
    version=$(sed -n 's/^#define PY_VERSION "\(.*\)"/\1/p' "$tree/Include/patchlevel.h")
    echo "source: $tree/ (CPython $version with Debian's patches)"
    for kind in gil nogil; do
        local build=$src/build-$kind dest=$PREFIX/python3.13-$kind flags=()
        [ "$kind" = nogil ] && flags=(--disable-gil)
        if [ ! -x "$dest/bin/python3.13" ] && [ ! -x "$dest/bin/python3.13t" ]; then
            say "python3.13 ($kind): configure ${flags[*]} && make -j$JOBS"
            rm -rf "$build"
            mkdir -p "$build"
            (cd "$build" && "$tree/configure" --prefix="$dest" --without-ensurepip "${flags[@]}" >configure.log &&
                make -j"$JOBS" >make.log 2>&1 && make install >install.log 2>&1)
        fi
    done
    ln -sf "$PREFIX/python3.13-gil/bin/python3.13" "$PREFIX/bin/python3.13"
    ln -sf "$PREFIX/python3.13-nogil/bin/python3.13t" "$PREFIX/bin/python3.13t"
    for py in python3.13 python3.13t; do
        "$PREFIX/bin/$py" -c 'import sys; print(sys.argv[1] + ": " + sys.version.split()[0] + ", GIL " + ("enabled" if getattr(sys, "_is_gil_enabled", lambda: True)() else "disabled"))' "$py"
    done
}

start=$SECONDS
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(python2.7 python3.13)
for name in "${wanted[@]}"; do
    case "$name" in
        python2.7) python27 ;;
        python3.13 | python3.13t) python313 ;;
        *) echo "interpreters.sh: unknown interpreter '$name' (python2.7, python3.13)" >&2; exit 2 ;;
    esac
done
say "done in $((SECONDS - start)) s; $(du -sh "$PREFIX" | cut -f1) in $PREFIX"
