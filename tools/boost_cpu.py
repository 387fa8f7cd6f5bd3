#!/usr/bin/python3
"""Benchmark helper (tools/bench_dense.sh --boost): boost_corr's CPU path, its
own CLI and code unchanged, with torch's threads set and the data loader's
worker processes capped.  The CLI asks for 16 loader processes with 4 batches
prefetched each: on 256 x 256 x 20000 that held 20 GB and the OOM killer of a
23 GB machine stopped it.
usage: boost_cpu.py WORKERS THREADS <boost_corr.cli arguments>
(PYTHONPATH must reach boost_corr: SRC/src of a boost_corr source tree)"""
import sys
import torch
import boost_corr.multitau as mt

workers, threads = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
orig = mt.MultitauCorrelator.process_dataset


def capped(self, ds, verbose=True, use_loader=False, num_workers=16):
    return orig(self, ds, verbose, use_loader, min(num_workers, workers))


mt.MultitauCorrelator.process_dataset = capped
sys.argv = ["boost_corr"] + sys.argv[3:]  # the CLI reads its arguments when imported
from boost_corr import cli  # noqa: E402

cli.main()
