#!/usr/bin/env bash
# compare_builds.sh: build two versions of xpcs-toolkit and show, with h5diff, whether their
# results are bit-identical on a matrix of runs. How a refactoring proves "no number changed".
#
#   bash tools/compare_builds.sh [--before REV|DIR] [--after REV|DIR] [--quick] [--strict]
#                                [--work DIR] [--keep]
#
#   --before  commit-ish or source directory (default HEAD)
#   --after   commit-ish or source directory (default: this repository's working tree, as it
#             is: tracked and untracked-not-ignored files, uncommitted changes included)
#   --quick   1 and 2 ranks only, Rigaku input with the sparse kernel only (fast iteration)
#   --strict  also compare the provenance texts (see below)
#   --work    scratch directory (new or empty; default ${TMPDIR:-/tmp}/xpcs-compare-$$)
#   --keep    keep the scratch directory (sources, builds, inputs, results/{before,after})
#   --exclude PATH  also leave PATH out of the comparison (repeatable): a group the after
#             version adds by design (issue 13: /xpcs/quality), so that the rest is proven equal
#
# Each version is built out of tree (Release, targets xpcs-corr and xpcs-synth). The inputs are
# generated once, by the before build's xpcs-synth, and both builds run the same matrix: -t
# multitau/linear/twotime/both x --kernel dense/sparse x HDF5 plain (u16), HDF5 gzip (u8),
# Rigaku .bin x 1, 2, 3 ranks, plus option variants. Both builds write into the same output path
# (then moved aside), so the paths the result records are equal. A run refused by both builds
# with the same exit code (below 100) counts as "refused (both)"; any other failure of either
# (one build only, different codes, a crash, a hang: timeout) is a DIFF.
# Result files are compared whole with plain h5diff (no tolerance: every dataset and attribute,
# new ones included), except these paths:
#   always (they differ between two runs of one build, measured): wall-clock timings
#     /xpcs/twotime/config/{bin_seconds,bin_blas_seconds,bin_gflops}, per-bin seconds and rates
#     /xpcs/linear/config/{rank_fft_thread_seconds,rank_block_seconds}, per-rank seconds
#   unless --strict (equal between two builds of one commit, but they describe the build and the
#   run, not its numbers, and change legitimately between versions):
#     /xpcs/{multitau,twotime,linear}/config/version    the program's version string
#     /xpcs/{multitau,twotime,linear}/config/plan       decomposition JSON (memory estimates)
#     /xpcs/multitau/config/effective_config            every setting with its source, JSON
#     /xpcs/{multitau,twotime,linear}/config/build      the build's provenance: its git commit and
#                                                       compiler flags differ between two builds by
#                                                       design (version, compiler, SIMD level, BLAS
#                                                       with them); one group, so that a version
#                                                       from before it (no group) compares too
# Nothing else differed between two builds of one commit (1-3 ranks, every point of the matrix).
# Exit: 0 all identical or refused by both, 1 differences, 2 build or setup error.
set -euo pipefail

EXCLUDE_RUN=(/xpcs/twotime/config/{bin_seconds,bin_blas_seconds,bin_gflops}
             /xpcs/linear/config/{rank_fft_thread_seconds,rank_block_seconds})
EXCLUDE_PROVENANCE=(/xpcs/{multitau,twotime,linear}/config/{version,plan,build}
                    /xpcs/multitau/config/effective_config)
RUN_TIMEOUT=300
REPO=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
BEFORE=HEAD AFTER="" QUICK=false STRICT=false KEEP=false WORK=""
EXCLUDE_EXTRA=()

die() { echo "compare_builds: error: $*" >&2; exit 2; }

parse_args() {
    while (($#)); do
        case $1 in
            --before) BEFORE=${2:?--before needs a value}; shift ;;
            --after)  AFTER=${2:?--after needs a value}; shift ;;
            --work)   WORK=${2:?--work needs a value}; shift ;;
            --quick)  QUICK=true ;;
            --strict) STRICT=true ;;
            --keep)   KEEP=true ;;
            --exclude) EXCLUDE_EXTRA+=("${2:?--exclude needs a path}"); shift ;;
            -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
            *) die "unknown argument '$1' (see --help)" ;;
        esac
        shift
    done
}

cleanup() { if $KEEP; then echo "compare_builds: kept $WORK"; else rm -rf "$WORK"; fi; }

# copy_git_tree SRC DST: the tracked and untracked-not-ignored files of SRC as they are now
copy_git_tree() {
    (cd "$1" && git ls-files -z -co --exclude-standard |
        while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -C "$2" -xf -
}

# prepare_source SPEC DST: fill DST with the sources of SPEC ("" = working tree, a directory or
# a commit-ish of REPO); prints a description of the version
prepare_source() {
    local spec=$1 dst=$2 head dirty
    mkdir -p "$dst"
    if [[ -z $spec || -d $spec ]]; then
        local dir=${spec:-$REPO}
        if git -C "$dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
            dir=$(git -C "$dir" rev-parse --show-toplevel)
            copy_git_tree "$dir" "$dst"
            head=$(git -C "$dir" rev-parse --short HEAD)
            dirty=$([[ -n $(git -C "$dir" status --porcelain) ]] && echo dirty || echo clean)
            echo "working tree $dir at $head ($dirty)"
        else
            tar -C "$dir" --exclude='./build*' -cf - . | tar -C "$dst" -xf -
            echo "directory $dir (not a git tree)"
        fi
    else
        git -C "$REPO" rev-parse --verify -q "$spec^{commit}" >/dev/null ||
            die "'$spec' is neither a directory nor a commit of $REPO"
        git -C "$REPO" archive "$spec" | tar -C "$dst" -xf -
        git -C "$REPO" log -1 --format='%h "%s"' "$spec"
    fi
}

build() { # SRC BUILD LOG
    local gen=()
    command -v ninja >/dev/null && gen=(-G Ninja)
    if ! { cmake -S "$1" -B "$2" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
                 -DPython3_EXECUTABLE=/usr/bin/python3 &&
           cmake --build "$2" -j2 --target xpcs-corr xpcs-synth; } >"$3" 2>&1; then
        tail -n 20 "$3" >&2
        die "build of $1 failed (last lines above; --keep keeps the log $3)"
    fi
}

# make_inputs: plain (u16), gz (u8, gzip) and rig (Rigaku .bin) in $WORK/data, by the before
# build's xpcs-synth (the after build's if the before one cannot write that input)
make_inputs() {
    local common=(--tau0 8 --n-dq 6) name args synth ok
    local -A sets=(
        [plain]="--rows 64 --cols 48 --frames 400 --rate 0.3 --seed 3"
        [gz]="--rows 64 --cols 48 --frames 400 --rate 0.3 --seed 5 --dtype u8 --gzip 4"
        [rig]="--format rigaku --rows 512 --cols 1024 --frames 300 --rate 0.02 --seed 7")
    for name in plain gz rig; do
        read -ra args <<<"${sets[$name]}"
        ok=false
        for synth in "$WORK/before/build/xpcs-synth" "$WORK/after/build/xpcs-synth"; do
            if "$synth" -o "$WORK/data" -n "$name" "${args[@]}" "${common[@]}" \
                    >>"$WORK/logs/synth.log" 2>&1; then ok=true; break; fi
        done
        $ok || echo "compare_builds: warning: no build's xpcs-synth can write input $name" \
                    "(its points will be refused by both)" >&2
    done
}

matrix() { # one line per point: TYPE KERNEL INPUT RANKS [OPTIONS...]
    local nps="1 2 3" input t k np
    $QUICK && nps="1 2"
    for input in plain gz rig; do for t in multitau linear twotime both; do for k in dense sparse; do
        $QUICK && [[ $input == rig && $k == dense ]] && continue
        for np in $nps; do echo "$t $k $input $np"; done
    done; done; done
    # variants: frame selection, averaging, normalization; smoothing and bin selection of the
    # two-time maps; steps smaller than the run (events and maps across step boundaries)
    echo "both dense gz 3 -b 7 -e -13 -a 2 -f 2 --normalize-frame"
    echo "both sparse gz 2 -b 7 -e -13 -a 2 -f 2 --normalize-frame"
    echo "linear dense plain 2 --max-lag 50 -a 2 --normalize-frame"
    echo "twotime dense plain 2 -s dqmap -d 1,3"
    echo "twotime sparse plain 3 -s none -d 2,4-6"
    echo "both dense plain 3 --step-frames 32"
    echo "both sparse rig 2 --step-frames 32"
}

# run_point SIDE ID TYPE KERNEL INPUT RANKS [OPTIONS...]: exit status of the run; its result,
# if any, moved to $WORK/results/SIDE/ID.hdf (every side writes into the same output path)
run_point() {
    local side=$1 id=$2 t=$3 k=$4 input=$5 np=$6 raw rc=0
    shift 6
    raw=$WORK/data/$input.h5
    [[ $input == rig ]] && raw=$WORK/data/rig.bin
    rm -rf "$WORK/out"
    OMP_NUM_THREADS=2 timeout -k 10 "$RUN_TIMEOUT" mpirun -np "$np" --oversubscribe \
        --bind-to none --allow-run-as-root "$WORK/$side/build/xpcs-corr" -r "$raw" \
        -q "$WORK/data/${input}_qmap.h5" -o "$WORK/out" -w -t "$t" --kernel "$k" "$@" \
        </dev/null >"$WORK/logs/$side-$id.log" 2>&1 || rc=$?
    [[ ! -f $WORK/out/${input}_results.hdf ]] ||
        mv "$WORK/out/${input}_results.hdf" "$WORK/results/$side/$id.hdf"
    return "$rc"
}

# h5_empty FILE/PATH: true when the dataset has a dimension of 0 (h5ls: "Dataset {0, 2}")
h5_empty() {
    [[ "$(h5ls "$1" 2>/dev/null)" =~ Dataset\ \{([^}/]*) ]] &&
        [[ ", ${BASH_REMATCH[1]}," == *", 0,"* ]]
}

# h5_findings A B ID: the differing paths, one per line, values first ("PATH (N differences)",
# then "PATH: only in before", ...); nothing when the files are equal outside the exclusions
h5_findings() {
    local args=() p rc=0 out log=$WORK/logs/h5diff-$3.log
    for p in "${EXCLUDE[@]}"; do args+=(--exclude-path "$p"); done
    h5diff -v "${args[@]}" "$1" "$2" >"$log" 2>&1 || rc=$?
    out=$(awk '
        function obj(h,  s, a) {
            s = h; sub(/^[a-z]+ *: </, "", s)
            if (h ~ /^attribute/) { a = s; sub(/ of <.*/, "", a); sub(/^[^<]*</, "", s) }
            sub(/>.*$/, "", s); return a == "" ? s : s "@" a
        }
        function base(h,  s) { s = obj(h); sub(/@.*/, "", s); return s }
        /^(dataset|attribute|group|datatype|link) *: </ { hdr = $0; done = 0; next }
        /^[0-9]+ differences? found$/ { done = 1; if ($1 > 0) print obj(hdr) " (" $1 " differences)"; next }
        /^    x           \// { sub(/^ +x +/, ""); sub(/ +$/, ""); rest = rest $0 ": only in before\n" }
        /^           x    \// { sub(/^ +x +/, ""); sub(/ +$/, ""); rest = rest $0 ": only in after\n" }
        /^Warning: different storage datatype/ {   # after the header of a dataset, before an attribute
            rest = rest (done ? "an attribute of " base(hdr) : obj(hdr)) ": storage type differs\n" }
        /^Not comparable: <.*is an empty dataset$/ { split($0, w, /[<>]/); rest = rest "EMPTY " w[2] "\n"; next }
        /^Not comparable: </ { split($0, w, /[<>]/); rest = rest base(hdr) "@" w[2] ": not comparable\n" }
        END { printf "%s", rest }' "$log")
    # h5diff cannot compare a dataset with no elements ("A or B is an empty
    # dataset"): equal when both sides are empty, a difference otherwise
    local line kept=""
    while IFS= read -r line; do
        if [[ $line == "EMPTY "* ]]; then
            p=${line#EMPTY }
            h5_empty "$1$p" && h5_empty "$2$p" ||
                kept+="$p: empty on one side"$'\n'
        elif [[ -n $line ]]; then
            kept+="$line"$'\n'
        fi
    done <<<"$out"
    out=${kept%$'\n'}
    [[ -z $out ]] || echo "$out"
    if ((rc > 1)); then echo "h5diff failed (rc $rc): $(head -n 1 "$log")"
    elif ((rc == 1)) && ! grep -q . <<<"$out"; then echo "h5diff: files differ (rc 1)"
    fi
}

# compare_point LINE: run both builds, print one line, count it
# shellcheck disable=SC2086  # $1 is split into the words of run_point's arguments
compare_point() {
    local t k input np opts label id rcb=0 rca=0 findings msg
    read -r t k input np opts <<<"$1" || true
    label="$t $k $input np=$np${opts:+ ($opts)}"
    id=$(printf '%s' "$t-$k-$input-np$np${opts:+-$opts}" | tr -c 'A-Za-z0-9=,.-' _)
    run_point before "$id" $1 || rcb=$?
    run_point after "$id" $1 || rca=$?
    N_RUNS=$((N_RUNS + 1))
    if ((rcb != 0 || rca != 0)); then
        msg=$(cat "$WORK/logs/before-$id.log" "$WORK/logs/after-$id.log" | grep -m1 -i 'error' || true)
        if ((rcb == rca && rcb < 100)); then   # xpcs-corr's own refusals; not a crash or timeout
            N_REFUSED=$((N_REFUSED + 1)); echo "refused (both, rc $rcb) $label${msg:+: $msg}"
        else
            N_DIFF=$((N_DIFF + 1))
            ((rcb == 124 || rcb == 137 || rca == 124 || rca == 137)) && msg="timed out (${RUN_TIMEOUT} s)"
            ((rcb > 128 && rcb != 137 || rca > 128 && rca != 137)) && msg="killed by a signal; $msg"
            echo "DIFF  $label: exit status before $rcb, after $rca${msg:+: $msg}"
        fi
        return
    fi
    findings=$(h5_findings "$WORK/results/before/$id.hdf" "$WORK/results/after/$id.hdf" "$id")
    if [[ -z $findings ]]; then
        N_SAME=$((N_SAME + 1)); echo "same  $label"
    else
        N_DIFF=$((N_DIFF + 1))
        echo "DIFF  $label: $(head -n 4 <<<"$findings" | paste -sd';' - | sed 's/;/; /g')$(
            (($(wc -l <<<"$findings") > 4)) && echo "; ... ($(wc -l <<<"$findings") paths)")"
    fi
}

main() {
    parse_args "$@"
    command -v h5diff >/dev/null || die "h5diff not found (apt-get install hdf5-tools)"
    command -v mpirun >/dev/null || die "mpirun not found"
    WORK=${WORK:-${TMPDIR:-/tmp}/xpcs-compare-$$}
    [[ ! -e $WORK || -z $(ls -A "$WORK") ]] || die "--work $WORK exists and is not empty"
    mkdir -p "$WORK"/{logs,data,results/before,results/after}
    WORK=$(cd "$WORK" && pwd)
    trap cleanup EXIT
    trap 'exit 2' INT TERM
    EXCLUDE=("${EXCLUDE_RUN[@]}")
    $STRICT || EXCLUDE+=("${EXCLUDE_PROVENANCE[@]}")
    EXCLUDE+=(${EXCLUDE_EXTRA[@]+"${EXCLUDE_EXTRA[@]}"})

    local desc_b desc_a t0=$SECONDS line
    desc_b=$(prepare_source "$BEFORE" "$WORK/before/src")
    desc_a=$(prepare_source "$AFTER" "$WORK/after/src")
    echo "compare_builds: before: $desc_b"
    echo "compare_builds: after:  $desc_a"
    echo "compare_builds: excluded paths (h5diff --exclude-path):"
    printf '    %s\n' "${EXCLUDE[@]}"
    build "$WORK/before/src" "$WORK/before/build" "$WORK/logs/build-before.log"
    build "$WORK/after/src" "$WORK/after/build" "$WORK/logs/build-after.log"
    echo "compare_builds: built both in $((SECONDS - t0)) s; inputs from the before build's xpcs-synth"
    make_inputs

    N_RUNS=0 N_SAME=0 N_REFUSED=0 N_DIFF=0
    local -a points
    mapfile -t points < <(matrix)
    for line in "${points[@]}"; do compare_point "$line"; done
    echo "compare_builds: $N_RUNS runs, $N_SAME identical, $N_REFUSED refused by both," \
         "$N_DIFF different ($((SECONDS - t0)) s)"
    ((N_DIFF == 0))
}

main "$@"
