#!/usr/bin/env bats
# Every chapter program, whatever its chapter: the conventions of DESIGN.md.

load lib/helpers

# (Not chapter 3's gil_trace.so: a library, loaded with LD_PRELOAD, not run.)
programs() {
    find "$BUILD"/chapter[0-9][0-9] -maxdepth 1 -type f -perm -u+x ! -name '*.so' | sort
}

@test "every chapter folder has a README.md, an executable run.sh and programs" {
    for dir in chapters/[0-9][0-9]-*/; do
        [ -f "$dir/README.md" ] || { echo "$dir has no README.md"; return 1; }
        [ -x "$dir/run.sh" ] || { echo "$dir has no executable run.sh"; return 1; }
        ls "$dir"/*.c >/dev/null || { echo "$dir has no program"; return 1; }
    done
}

@test "every program is built" {
    for src in chapters/[0-9][0-9]-*/*.c; do
        dir=$(dirname "$src")
        number=$(basename "$dir" | cut -d- -f1)
        [ -x "$BUILD/chapter$number/$(basename "$src" .c)" ] || { echo "not built: $src"; return 1; }
    done
}

@test "every program answers --help with its usage on stdout and status 0" {
    [ -n "$(programs)" ]
    for prog in $(programs); do
        run --separate-stderr "$prog" --help
        [ "$status" -eq 0 ] || { echo "$prog --help: status $status"; return 1; }
        [[ "$output" == "usage: $(basename "$prog")"* ]] || { echo "$prog --help: $output"; return 1; }
        [ -z "$stderr" ]
    done
}

@test "every program's --help lists each option once" {
    for prog in $(programs); do
        twice=$("$prog" --help | awk '/^  --/ { print $1 }' | sort | uniq -d)
        [ -z "$twice" ] || { echo "$prog --help lists twice: $twice"; return 1; }
    done
}

@test "every program rejects an unknown option with status 2 and its usage" {
    for prog in $(programs); do
        run "$prog" --no-such-option
        assert_usage_error "unknown option '--no-such-option'" || { echo "($prog)"; return 1; }
    done
}

# Whether PROG's usage line names operands (a bare upper-case word outside
# brackets, like "COMMAND..."): such a program takes arguments by design.
takes_operands() {
    "$1" --help | head -n 1 | sed 's/\[[^]]*\]//g' | grep -qE ' [A-Z][A-Z]+'
}

@test "every program rejects a stray argument with status 2 (or, if it takes operands, their absence)" {
    for prog in $(programs); do
        if takes_operands "$prog"; then
            run "$prog"
            assert_usage_error "usage:" || { echo "($prog without operands)"; return 1; }
            continue
        fi
        run "$prog" stray-argument
        assert_usage_error "unexpected argument 'stray-argument'" || { echo "($prog)"; return 1; }
    done
}

@test "every program's source starts with a comment saying what it shows" {
    for src in chapters/[0-9][0-9]-*/*.c; do
        head -n 1 "$src" | grep -q "^/\*$" || { echo "$src: no header comment"; return 1; }
        sed -n 2p "$src" | grep -q "^ \* $(basename "$src") - " || { echo "$src: header does not name the file"; return 1; }
    done
}

@test "shell scripts pass shellcheck" {
    command -v shellcheck >/dev/null || skip "shellcheck is not installed"
    run shellcheck -x .ci/run .ci/deps.sh tests/run.sh tests/lib/docs.sh common/chapter.sh common/interpreters.sh chapters/*/*.sh chapters/*/checks/*.sh tests/lib/exercise.sh tests/lib/student-edition.sh tests/lib/grade.sh
    [ "$status" -eq 0 ] || { echo "$output"; return 1; }
}
