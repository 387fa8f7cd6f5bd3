# Shared helpers for the integration tests (sourced).  Every command is
# printed before it runs, so a failure can be pasted and rerun by hand.
set -u
: "${XPCS_BIN:?set XPCS_BIN to the build directory}"
PY=${XPCS_PYTHON:-/usr/bin/python3}
MPIEXEC=${XPCS_MPIEXEC:-mpiexec}
NPFLAG=${XPCS_NPFLAG:--n}
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) # tests/
ORACLES=$TESTS/oracles # independent Python references and comparisons
NAME=$(basename "$0" .sh)
WORK=${XPCS_WORK:-/tmp/xpcs-tests}/$NAME
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 1
PASSED=0
FAILED=0
# -DXPCS_SANITIZE=ON: every process's sanitizer report (a leak, also on an
# error path whose exit status the test expects to be non-zero) goes to a
# file here, and finish fails the test when there is one.
if [ -n "${ASAN_OPTIONS:-}" ]; then
    SAN_LOG=$WORK/sanitizer
    export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$SAN_LOG"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$SAN_LOG"
fi

# xpcs-corr normalizes frames unless told otherwise (-nf 1, boost_corr's command-line
# default).  The tests and oracles were written for the former default (off): they keep
# it through the environment, which every -nf / --normalize-frame / config key
# overrides.  test_dropin.sh unsets it to check the default itself.
export XPCS_NORMALIZE_FRAME=${XPCS_NORMALIZE_FRAME:-0}

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
# same_result DESCRIPTION REFERENCE RESULT NP ARGS...: xpcs-corr on NP ranks writing
# RESULT (-o its directory); RESULT must be bit-identical to REFERENCE (compare.py)
same_result() {
    local d=$1 ref=$2 res=$3 np=$4
    shift 4
    if corr "$np" -o "$(dirname "$res")" "$@" >run.log 2>&1; then
        check "$d" run "$PY" "$ORACLES/compare.py" "$ref" "$res"
    else
        cat run.log
        bad "$d: xpcs-corr failed"
    fi
}
# expect_fail DESCRIPTION PATTERN NP ARGS...: xpcs-corr on NP ranks must fail with
# one error line matching PATTERN, no hang and no result file (or .tmp) in bad_out
expect_fail() {
    local d=$1 pattern=$2 np=$3
    shift 3
    corr "$np" -o bad_out "$@" >out.txt 2>err.txt
    local rc=$? line
    line=$(grep -c '^xpcs-corr: error:' err.txt)
    if [ "$rc" -eq 124 ]; then
        bad "$d: hung (killed after 120 s)"
    elif [ "$rc" -eq 0 ]; then
        bad "$d: exit status 0"
    elif [ "$line" -ne 1 ] || ! grep '^xpcs-corr: error:' err.txt | grep -Eq "$pattern"; then
        cat err.txt
        bad "$d: expected one error line matching /$pattern/"
    elif [ -n "$(find bad_out -name '*_results.hdf*' 2>/dev/null)" ]; then
        bad "$d: left a result file behind"
    else
        ok "$d (rc $rc, np=$np): $(grep '^xpcs-corr: error:' err.txt)"
    fi
}
finish() {
    if [ -n "${SAN_LOG:-}" ] && ls "$SAN_LOG".* >/dev/null 2>&1; then
        # LeakSanitizer's own tracer can crash at exit on this kernel/glibc
        # ("Tracer caught signal 11 ... LeakSanitizer has encountered a fatal
        # error"), intermittently and in processes without any finding: such a
        # log says the leak check did not complete, and is counted apart.  Any
        # other report (a leak, ASan, UBSan) fails the test.
        local f tracer=0 real=0
        for f in "$SAN_LOG".*; do
            if grep -q "LeakSanitizer has encountered a fatal error" "$f" &&
                ! grep -Eq "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$f"; then
                tracer=$((tracer + 1))
            else
                real=$((real + 1))
                head -n 40 "$f"
            fi
        done
        [ "$tracer" -gt 0 ] &&
            echo "WARN LeakSanitizer's tracer crashed in $tracer process(es): their leak check did not complete"
        [ "$real" -gt 0 ] && bad "sanitizer reports from $real process(es)"
    fi
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
