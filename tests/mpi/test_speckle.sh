#!/bin/bash
# Synthetic speckle with a known correlation time: fitting each dynamic bin's
# g2 with baseline + beta exp(-2t/tau) recovers the generator's tau within
# 5 % and beta within 10 % (tests/fit_check.py, independent of the C code).
source "$(dirname "$0")/../lib/lib.sh"
synth -o d -n sp --rows 128 --cols 128 --frames 10000 --rate 1 --beta 0.3 --tau0 60 --beamstop 30 --n-dq 6 --seed 11
corr 2 -r d/sp.h5 -q d/sp_qmap.h5 -o o >o.log 2>&1 || { cat o.log; bad "run"; }
check "fit recovers tau (5 %) and beta (10 %)" run "$PY" "$ORACLES/fit_check.py" o/sp_results.hdf d/sp_truth.h5
finish
