"""Fit and transform at scale: peak memory, rows per second, and Dask.

(a) A generated column of 20M rows over 100k distinct terms (Zipf-like) is
fitted and transformed, each measurement in a fresh child process. The child
builds its input, resets its high-water mark of resident memory (Linux
``/proc/self/clear_refs``), runs the one call and reads the new mark, so that
the figure is the call's own peak with the input resident. It reports::

    peak / (input + output) = (input + memory the call added at its peak)
                              / (input + output)

which is 1.0 for a call that only ever holds its input and its output.

(b) Fitting the same 20M rows, spread over the partitions of a Dask DataFrame
held by a two-worker ``LocalCluster`` (one thread each), against the
single-process fit of the same rows.

Run::

    python benchmarks/bench_scale.py [--rows 20000000] [--terms 100000]

It prints one Markdown table with the versions and the machine. Each
measurement runs once: the calls take seconds, and the memory figures do not
repeat-average.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Arrow's default pool keeps freed memory for reuse, which would hide part of
# the call's peak in the baseline; the system allocator returns large blocks.
CHILD_ENV = {"ARROW_DEFAULT_MEMORY_POOL": "system", "TF_CPP_MIN_LOG_LEVEL": "3"}
MB = 2**20


# Data --------------------------------------------------------------------------------


def make_part(index, n_rows, n_terms):
    """Rows of partition `index`: Zipf-like ranks over `n_terms` terms.

    Partition 0 holds every term at least once, so that the vocabulary has
    `n_terms` terms. Returns a ``pyarrow.large_string`` array.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(index)
    ranks = ((rng.zipf(1.2, n_rows) - 1) % n_terms).astype(np.int32)
    if index == 0:
        ranks[:n_terms] = np.arange(n_terms, dtype=np.int32)
        rng.shuffle(ranks)
    terms = pa.array([f"term{i:07d}" for i in range(n_terms)], pa.large_string())
    return pc.take(terms, pa.array(ranks))


def part_sizes(n_rows, n_parts):
    base, extra = divmod(n_rows, n_parts)
    return [base + (i < extra) for i in range(n_parts)]


def make_column(n_rows, n_terms, n_parts):
    """The whole column: the partitions of `make_part`, one after the other."""
    import pyarrow as pa

    parts = [
        make_part(i, size, n_terms)
        for i, size in enumerate(part_sizes(n_rows, n_parts))
    ]
    return pa.chunked_array(parts).combine_chunks()


def make_frame(column, kind):
    """A one-column DataFrame: pandas' Arrow-backed ``str`` dtype, or objects."""
    import pandas as pd

    if kind == "str":
        return pd.DataFrame({"term": column.to_pandas()})
    values = column.to_numpy(zero_copy_only=False)
    return pd.DataFrame({"term": pd.Series(values, dtype=object, copy=False)})


def frame_bytes(frame, kind):
    import pyarrow as pa

    if kind == "str":
        return pa.array(frame["term"].array).nbytes
    return int(frame.memory_usage(deep=True, index=False).sum())


def output_bytes(out):
    if hasattr(out, "indptr"):
        return out.data.nbytes + out.indices.nbytes + out.indptr.nbytes
    return out.nbytes


# Measurements, each in its own child process ---------------------------------------

# name: (what is measured, input kind, transformer parameters, call)
MEASUREMENTS = {
    "fit-str": ("fit", "str", {"engine": "arrow"}, "fit"),
    "fit-object": ("fit", "object", {"engine": "arrow"}, "fit"),
    "transform-arrow-str": ("transform, int", "str", {"engine": "arrow"}, "transform"),
    "transform-arrow-object": (
        "transform, int",
        "object",
        {"engine": "arrow"},
        "transform",
    ),
    "transform-keras-str": ("transform, int", "str", {"engine": "keras"}, "transform"),
    "transform-count-sparse": (
        "transform, count, sparse",
        "str",
        {"engine": "arrow", "output_mode": "count", "sparse": True},
        "transform",
    ),
}


def status_bytes(key):
    """A field of /proc/self/status (VmRSS, VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    msg = f"/proc/self/status must have a {key} line. Got none instead."
    raise RuntimeError(msg)


def run_measurement(name, n_rows, n_terms, n_parts):
    """Body of a child process: one call, its time and its peak memory."""
    import gc

    from skstringlookup import StringLookupTransformer

    _, kind, params, call = MEASUREMENTS[name]
    if params["engine"] == "keras":
        import tensorflow as tf  # noqa: F401 - imported before the baseline

    column = make_column(n_rows, n_terms, n_parts)
    frame = make_frame(column, kind)
    del column
    lookup = StringLookupTransformer(**params)
    if call == "transform":
        lookup.fit(frame)
        lookup.transform(frame.iloc[:1000])  # builds the lookup engine
    gc.collect()

    Path("/proc/self/clear_refs").write_text("5")
    before = status_bytes("VmRSS")
    start = time.perf_counter()
    out = lookup.fit(frame) if call == "fit" else lookup.transform(frame)
    seconds = time.perf_counter() - start
    peak = status_bytes("VmHWM")

    result = {
        "seconds": seconds,
        "input": frame_bytes(frame, kind),
        "output": output_bytes(out) if call == "transform" else 0,
        "extra": peak - before,
        "n_terms": len(lookup.vocabularies_[0]),
    }
    print(json.dumps(result))


def run_dask_fit(n_rows, n_terms, n_parts):
    """Body of a child process: fit on a two-worker LocalCluster."""
    import dask.dataframe as dd
    import pandas as pd
    from distributed import Client, LocalCluster, wait

    from skstringlookup import StringLookupTransformer

    sizes = part_sizes(n_rows, n_parts)

    def load(index):
        return pd.DataFrame(
            {"term": make_part(index, sizes[index], n_terms).to_pandas()}
        )

    def reset_peak():
        Path("/proc/self/clear_refs").write_text("5")
        return status_bytes("VmRSS")

    def peak():
        return status_bytes("VmHWM")

    meta = pd.DataFrame({"term": pd.Series([], dtype="str")})
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        ddf = dd.from_map(load, range(n_parts), meta=meta).persist()
        wait(ddf)
        # Warm the workers up (imports, first task) on a few partitions.
        StringLookupTransformer(engine="arrow").fit(ddf.partitions[:2])
        before = client.run(reset_peak)

        start = time.perf_counter()
        lookup = StringLookupTransformer(engine="arrow").fit(ddf)
        seconds = time.perf_counter() - start

        peaks = client.run(peak)
        extra = max(peaks[w] - before[w] for w in peaks)

    print(
        json.dumps(
            {
                "seconds": seconds,
                "extra": extra,
                "n_terms": len(lookup.vocabularies_[0]),
            }
        )
    )


def child(args, name):
    """Run one measurement in a fresh interpreter; return its JSON result."""
    command = [
        sys.executable,
        __file__,
        "--child",
        name,
        "--rows",
        str(args.rows),
        "--terms",
        str(args.terms),
        "--partitions",
        str(args.partitions),
    ]
    print(f"  running {name} ...", file=sys.stderr, flush=True)
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **CHILD_ENV},
        check=False,
    )
    if done.returncode != 0:
        msg = f"The measurement {name} failed:\n{done.stderr[-3000:]}"
        raise RuntimeError(msg)
    return json.loads(done.stdout.strip().splitlines()[-1])


# Report ------------------------------------------------------------------------------


def versions():
    """Versions of the packages measured, and the machine."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for name in (
        "skstringlookup",
        "scikit-learn",
        "pandas",
        "numpy",
        "pyarrow",
        "dask",
        "distributed",
        "tensorflow",
        "keras",
    ):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return (
        ", ".join(parts)
        + f"; Python {platform.python_version()}, {platform.platform()}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs (os.cpu_count())"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--terms", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--skip-keras", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "dask-fit":
        run_dask_fit(args.rows, args.terms, args.partitions)
        return
    if args.child:
        run_measurement(args.child, args.rows, args.terms, args.partitions)
        return

    names = [n for n in MEASUREMENTS if not (args.skip_keras and "keras" in n)]
    results = {name: child(args, name) for name in names}
    if not args.skip_dask:
        results["dask-fit"] = child(args, "dask-fit")

    print()
    print(
        f"{args.rows:,} rows, {args.terms:,} distinct terms (Zipf-like), "
        "one column, each measurement in a fresh process"
    )
    print()
    print(
        "| measurement | input | rows/s | input MB | output MB | added at peak MB "
        "| peak / (input + output) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in names:
        what, kind, params, _ = MEASUREMENTS[name]
        r = results[name]
        ratio = (r["input"] + r["extra"]) / (r["input"] + r["output"])
        assert r["n_terms"] == args.terms
        print(
            f"| {what}, {params['engine']} engine | pandas {kind} "
            f"| {args.rows / r['seconds'] / 1e6:.2f}M | {r['input'] / MB:.0f} "
            f"| {r['output'] / MB:.0f} | {r['extra'] / MB:.0f} | {ratio:.2f}x |"
        )

    if "dask-fit" in results:
        single = results["fit-str"]
        dask = results["dask-fit"]
        assert dask["n_terms"] == args.terms
        print()
        print(
            f"| fit {args.rows:,} rows | seconds | rows/s | added at peak MB "
            "(per process) | ratio to one process |"
        )
        print("|---|---|---|---|---|")
        print(
            f"| one process, pandas str | {single['seconds']:.2f} "
            f"| {args.rows / single['seconds'] / 1e6:.2f}M "
            f"| {single['extra'] / MB:.0f} | 1.00x |"
        )
        print(
            f"| Dask, 2 workers x 1 thread, {args.partitions} persisted partitions "
            f"| {dask['seconds']:.2f} | {args.rows / dask['seconds'] / 1e6:.2f}M "
            f"| {dask['extra'] / MB:.0f} (worker max) "
            f"| {single['seconds'] / dask['seconds']:.2f}x as fast |"
        )

    print()
    print(versions())


if __name__ == "__main__":
    main()
