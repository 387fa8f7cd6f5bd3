#!/bin/bash
# g2, errors, SAXS and intensity vs time agree with the brute-force oracle
# (tests/oracle.py) to 1e-9 relative, for frame counts that are not powers of
# two, with frame selection, stride, avg and frame normalization, for
# uint8 (gzip), uint16 and uint32 data, on 1, 2 and 3 ranks.
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n u16 --rows 40 --cols 36 --frames 1531 --rate 0.7 --beta 0.3 --tau0 8 --n-dq 6
synth -o d -n u8z --dtype u8 --gzip 4 --chunk-frames 7 --rows 33 --cols 41 --frames 999 --rate 2 --n-dq 5 --seed 7
synth -o d -n u32 --dtype u32 --rows 24 --cols 30 --frames 700 --rate 5 --n-dq 4 --seed 3

oracle() { # oracle NAME OUTDIR
    run "$PY" "$ORACLES/oracle.py" "d/$1.h5" "d/$1_qmap.h5" "$2/$1_results.hdf"
}
case_() { # case_ NP NAME ARGS...
    local np=$1 name=$2
    shift 2
    local out="o_${name}_np${np}_$RANDOM"
    if corr "$np" -r "d/$name.h5" -q "d/${name}_qmap.h5" -o "$out" "$@" >"$out.log" 2>&1 &&
        oracle "$name" "$out"; then
        ok "oracle np=$np $name $*"
    else
        cat "$out.log"
        bad "oracle np=$np $name $*"
    fi
}
case_ 1 u16
case_ 2 u16 -b 3 -e 1500 -f 2 -a 3
case_ 3 u16 --normalize-frame -a 2 --step-frames 50
case_ 2 u16 -b -800 -f 3 --step-frames 17
case_ 3 u8z -a 4
case_ 2 u8z -f 2 --normalize-frame
case_ 1 u32 -a 2
case_ 3 u32 -b 11 -e 690 -f 1 -a 5
finish
