"""run(), fit(), average(): the xpcs-toolkit programs as subprocesses."""
import os
import shutil
import subprocess

from ._core import XpcsError


def tool_path(name):
    """The program `name` (xpcs-corr, ...): in XPCS_BIN, beside this package as installed, or on
    PATH."""
    env = os.environ.get("XPCS_BIN")
    if env and os.access(os.path.join(env, name), os.X_OK):
        return os.path.join(env, name)
    try:
        from . import _build
        p = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          _build.BINDIR, name))
        if os.access(p, os.X_OK):
            return p
    except ImportError:
        pass
    p = shutil.which(name)
    if p:
        return p
    raise XpcsError("%s not found: install xpcs-toolkit or set XPCS_BIN" % name)


def _option_args(options):
    """{"avg_frame": 2, "normalize_frame": True, "set": ["a.b=1", ...]} -> command-line words."""
    args = []
    for key, value in options.items():
        flag = ("-" if len(key) == 1 else "--") + key.replace("_", "-")
        if key == "normalize_frame":  # always explicit: xpcs-corr's own default is on
            args.append("%s=%d" % (flag, 1 if value else 0))
        elif value is True:
            args.append(flag)
        elif value is False or value is None:
            continue
        elif isinstance(value, (list, tuple)):
            for v in value:
                args += [flag, str(v)]
        else:
            args += [flag, str(value)]
    return args


def _call(cmd, env=None):
    """Runs cmd; its last stdout line, or XpcsError with its error line and exit status."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=env, stdin=subprocess.DEVNULL)
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    if p.returncode != 0:
        errs = [ln for ln in p.stderr.splitlines() if "error:" in ln]
        msg = errs[-1] if errs else (p.stderr.strip().splitlines() or ["failed"])[-1]
        e = XpcsError("%s (exit status %d)" % (msg, p.returncode))
        e.returncode, e.stdout, e.stderr = p.returncode, p.stdout, p.stderr
        raise e
    return lines[-1] if lines else ""


def run(raw, qmap, output, ranks=None, mpiexec="mpiexec", mpiexec_args=(), env=None,
        **options):
    """xpcs-corr -r RAW -q QMAP -o OUTPUT [options]; returns the result file's path.

    raw: a file, or a list of files (a batch: then the path of batch_summary.json).  options:
    xpcs-corr's long options with '_' for '-' (avg_frame=2, normalize_frame=True, type="both",
    overwrite=True, set=["monitoring.progress=off"]); normalize_frame is off unless given, as
    in correlate() (xpcs-corr's command line has it on).  ranks=N runs it under
    `mpiexec -n N` (mpiexec_args: more launcher words, e.g. ["--bind-to", "none"]).
    Raises XpcsError with xpcs-corr's error line (and .returncode) when it fails.
    """
    options.setdefault("normalize_frame", False)  # as correlate() (boost_corr's library default)
    cmd = [tool_path("xpcs-corr")]
    for r in ([raw] if isinstance(raw, (str, os.PathLike)) else raw):
        cmd += ["-r", os.fspath(r)]
    cmd += ["-q", os.fspath(qmap), "-o", os.fspath(output)] + _option_args(options)
    if ranks:
        cmd = [mpiexec, "-n", str(int(ranks))] + list(mpiexec_args) + cmd
    return _call(cmd, env)


def fit(result, model="single", fit_range=None, fix=None, bounds=None, overwrite=True, env=None):
    """xpcs-fit on a result file: model single, stretched or double; fit_range (tmin, tmax) in s;
    fix {name: value}; bounds {name: (lo, hi)}.  Returns load(result)["fit"][model]."""
    from ._results import load
    cmd = [tool_path("xpcs-fit"), os.fspath(result), "--model", model]
    if fit_range is not None:
        lo, hi = fit_range
        cmd += ["--fit-range", "%s:%s" % ("" if lo is None else repr(float(lo)),
                                          "" if hi is None else repr(float(hi)))]
    for name, value in (fix or {}).items():
        cmd += ["--fix", "%s=%r" % (name, float(value))]
    for name, (lo, hi) in (bounds or {}).items():
        cmd += ["--bounds", "%s=%r:%r" % (name, float(lo), float(hi))]
    if overwrite:
        cmd.append("-w")
    _call(cmd, env)
    return load(result)["fit"][model]


def average(results, output, env=None, **options):
    """xpcs-average -o OUTPUT [options] RESULTS...; returns the output's path.  options:
    overwrite=True, q_bin=K, window=W, bounds="LO:HI", int_t_sigma=S, ..."""
    cmd = [tool_path("xpcs-average"), "-o", os.fspath(output)] + _option_args(options)
    cmd += [os.fspath(r) for r in results]
    return _call(cmd, env)
