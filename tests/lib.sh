# Shared helpers for the integration tests (sourced).  Every command is
# printed before it runs, so a failure can be pasted and rerun by hand.
set -u
: "${XPCS_BIN:?set XPCS_BIN to the build directory}"
PY=${XPCS_PYTHON:-/usr/bin/python3}
MPIEXEC=${XPCS_MPIEXEC:-mpiexec}
NPFLAG=${XPCS_NPFLAG:--n}
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NAME=$(basename "$0" .sh)
WORK=${XPCS_WORK:-/tmp/xpcs-tests}/$NAME
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1
PASSED=0
FAILED=0

run() {
    echo "+ $*"
    "$@"
}
# corr NP ARGS...: xpcs-corr on NP ranks, killed after 120 s (a hang fails)
corr() {
    local np=$1
    shift
    run timeout 120 "$MPIEXEC" "$NPFLAG" "$np" "$XPCS_BIN/xpcs-corr" "$@"
}
synth() {
    run "$XPCS_BIN/xpcs-synth" "$@" >/dev/null
}
ok() {
    echo "ok   $*"
    PASSED=$((PASSED + 1))
}
bad() {
    echo "FAIL $*"
    FAILED=$((FAILED + 1))
}
check() { # check DESCRIPTION COMMAND...
    local d=$1
    shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
