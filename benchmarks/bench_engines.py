"""Side-by-side speed and memory of skstringlookup against its references.

Every figure is a ratio of two measurements taken in this same run, on this
machine, so that a slower or faster machine does not change the verdict. Run:

    python benchmarks/bench_engines.py [--rows 1000000] [--quick]

and it prints one Markdown table (the one in the README), the versions and
the machine. Timings are the best of several repeats; fresh-process figures
are medians of three child processes.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np
import pandas as pd

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def best_of(fn, repeat=5):
    """Shortest wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(fn, repeat=2000):
    """Median wall time of many calls, in seconds (for microsecond calls)."""
    for _ in range(50):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def zipf_terms(n_rows, n_terms, seed=0):
    """A Zipf-like column over `n_terms` distinct terms, as an object array."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"term{i:07d}" for i in range(n_terms)], dtype=object)
    ranks = rng.zipf(1.2, n_rows) % n_terms
    column = vocabulary[ranks]
    # Make sure every term appears, so that the vocabulary has n_terms terms.
    column[:n_terms] = vocabulary
    rng.shuffle(column)
    return column


def keras_layer(terms):
    import tensorflow as tf

    return tf.keras.layers.StringLookup(vocabulary=np.array(terms, dtype=object))


def run_child(code, **env):
    """Run `code` in a fresh interpreter; return (seconds, peak RSS MB, stdout)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
    )
    seconds = time.perf_counter() - start
    peak_mb = float(done.stdout.strip().splitlines()[-1])
    return seconds, peak_mb, done.stdout


# The child's own high-water mark: ru_maxrss would count the parent's pages
# at fork time too.
PEAK = (
    "print([int(l.split()[1]) / 1024 for l in open('/proc/self/status') "
    "if l.startswith('VmHWM:')][0])"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeat = 2 if args.quick else 5

    import sklearn
    import tensorflow as tf
    from sklearn.preprocessing import OrdinalEncoder
    from sklearn.utils.validation import validate_data

    import skstringlookup
    from skstringlookup import StringLookupTransformer

    rows = []

    def add(number, what, ours, reference, goal, unit="x faster"):
        if unit == "x faster":
            ratio = reference / ours
            figure = f"{ratio:.1f}x faster"
        elif unit == "x time":
            ratio = ours / reference
            figure = f"{ratio:.2f}x the time"
        else:
            ratio = ours
            figure = unit.format(ours)
        rows.append((number, what, figure, goal))
        print(f"  [{number}] {what}: {figure} (goal: {goal})", flush=True)

    n = args.rows
    column = zipf_terms(n, 10_000)
    frame = pd.DataFrame({"c": pd.Series(column, dtype="str")})
    array = column.reshape(-1, 1)

    arrow = StringLookupTransformer(engine="arrow").fit(frame)
    keras = StringLookupTransformer(engine="keras").fit(frame)
    # Fitted on an array, so that arrays (which have no column names) are
    # transformed without scikit-learn's feature-name warning.
    arrow_array = StringLookupTransformer(engine="arrow").fit(array)
    layer = keras_layer(arrow.vocabularies_[0])
    arrow.transform(frame[:100])
    keras.transform(frame[:100])

    # 1. pandas str column: Arrow engine vs the raw layer on the same column.
    raw_str = best_of(lambda: layer(frame["c"].to_numpy()), repeat)
    ours = best_of(lambda: arrow.transform(frame), repeat)
    assert np.array_equal(arrow.transform(frame)[:, 0], layer(column).numpy())
    add(
        1,
        f"transform {n:,} rows, 10k terms, pandas str: arrow vs raw layer",
        ours,
        raw_str,
        ">= 5x faster",
    )

    # 2. NumPy object array.
    raw_obj = best_of(lambda: layer(column), repeat)
    ours = best_of(lambda: arrow_array.transform(array), repeat)
    add(
        2,
        "same on a NumPy object array: arrow vs raw layer",
        ours,
        raw_obj,
        ">= 1x (as fast)",
    )

    # 3. Keras engine overhead over the raw layer call.
    ours = best_of(lambda: keras.transform(frame), repeat)
    add(
        3,
        "keras engine vs raw layer, pandas str",
        ours,
        raw_str,
        "<= 1.10x the time",
        unit="x time",
    )

    # 4. fit vs adapt, identical vocabulary.
    def adapt():
        adapted = tf.keras.layers.StringLookup()
        adapted.adapt(column)
        return adapted

    adapted = adapt()
    learned = StringLookupTransformer(engine="arrow").fit(array)
    ours_vocab = learned.vocabularies_[0]
    keras_vocab = [str(t) for t in adapted.get_vocabulary(include_special_tokens=False)]
    assert ours_vocab == keras_vocab, "fit and adapt disagree"
    t_adapt = best_of(adapt, min(repeat, 3))
    t_fit = best_of(lambda: StringLookupTransformer(engine="arrow").fit(frame), repeat)
    add(
        4,
        f"fit {n:,} rows vs adapt (identical vocabulary)",
        t_fit,
        t_adapt,
        ">= 5x faster",
    )

    # 5. One-row transform, with the same feature checks as any transform.
    one_array = array[:1]
    one_frame = frame.iloc[:1]
    t_row = median_of(lambda: arrow_array.transform(one_array))
    t_df = median_of(lambda: arrow.transform(one_frame))
    t_layer = median_of(lambda: layer(one_array[:, 0]), 300)
    t_vd_df = median_of(
        lambda: validate_data(
            arrow, one_frame, reset=False, dtype=None, ensure_all_finite=False
        )
    )
    rows.append(
        (
            5,
            "one-row transform, arrow engine, array row (median)",
            f"{t_row * 1e6:.0f} us",
            "<= 50 us",
        )
    )
    rows.append(
        (
            5,
            "one-row transform, arrow engine, 1-row DataFrame (median)",
            f"{t_df * 1e6:.0f} us",
            "<= 100 us",
        )
    )
    rows.append(
        (
            5,
            "  reference: raw Keras call / sklearn validate_data on 1-row df",
            f"{t_layer * 1e6:.0f} us / {t_vd_df * 1e6:.0f} us",
            "",
        )
    )
    for r in rows[-3:]:
        print("  ", r, flush=True)

    # 6. Fresh process: import, load a fitted pipeline, transform one row;
    # against the pickled Keras 3 layer alone, and against a Pipeline that
    # holds the layer (the same scikit-learn imports as ours).
    with tempfile.TemporaryDirectory() as tmp:
        import joblib
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer

        paths = {
            name: os.path.join(tmp, f"{name}.joblib")
            for name in ("ours", "layer", "layer_pipeline")
        }
        joblib.dump(make_pipeline(arrow_array), paths["ours"])
        keras_saves = True
        try:
            joblib.dump(layer, paths["layer"])
            joblib.dump(
                make_pipeline(FunctionTransformer(layer, validate=False)),
                paths["layer_pipeline"],
            )
        except Exception:  # Keras 2 layers do not pickle at all.
            keras_saves = False

        row = 'np.array([["term0000001"]], dtype=object)'
        codes = {
            "ours": f"""
                import sys, joblib, numpy as np
                out = joblib.load({paths["ours"]!r}).transform({row})
                assert "tensorflow" not in sys.modules
            """,
            "layer": f"""
                import joblib, numpy as np
                out = joblib.load({paths["layer"]!r})({row}[:, 0])
            """,
            "layer_pipeline": f"""
                import joblib, numpy as np
                out = joblib.load({paths["layer_pipeline"]!r}).transform({row})
            """,
        }

        def child(name):
            runs = [
                run_child(textwrap.dedent(codes[name]) + PEAK + "\n")[:2]
                for _ in range(3)
            ]
            return (
                statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
            )

        t_ours, m_ours = child("ours")
        if keras_saves:
            for name, what in (
                ("layer", "the pickled Keras 3 layer"),
                ("layer_pipeline", "a Pipeline holding the pickled layer"),
            ):
                t_ref, m_ref = child(name)
                rows.append(
                    (
                        6,
                        f"fresh process: load + 1 row, ours vs {what}: wall time",
                        f"{t_ref / t_ours:.1f}x less ({t_ours:.2f} vs {t_ref:.2f} s)",
                        ">= 5x less",
                    )
                )
                rows.append(
                    (
                        6,
                        "  same, peak memory",
                        f"{m_ref / m_ours:.1f}x less ({m_ours:.0f} vs {m_ref:.0f} "
                        "MB); TensorFlow never imported by ours",
                        ">= 4x less",
                    )
                )
                for r in rows[-2:]:
                    print("  ", r, flush=True)
        else:
            rows.append(
                (6, "fresh process", "Keras 2 layers do not pickle", ">= 5x less")
            )

    # 7. A 1M-term vocabulary.
    big_column = zipf_terms(n, 1_000_000, seed=1)
    big_frame = pd.DataFrame({"c": pd.Series(big_column, dtype="str")})
    big = StringLookupTransformer(engine="arrow").fit(big_frame)
    big_layer = keras_layer(big.vocabularies_[0])
    big.transform(big_frame[:100])
    t_raw_big = best_of(lambda: big_layer(big_frame["c"].to_numpy()), repeat)
    t_big = best_of(lambda: big.transform(big_frame), repeat)
    add(
        7,
        f"1M-term vocabulary, {n:,} rows: arrow vs raw layer",
        t_big,
        t_raw_big,
        ">= 2x faster",
    )

    # 9. scikit-learn's OrdinalEncoder on the same column.
    encoder = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
    encoder.fit(frame)
    t_ord = best_of(lambda: encoder.transform(frame), min(repeat, 3))
    ours = best_of(lambda: arrow.transform(frame), repeat)
    add(
        9,
        "transform vs sklearn OrdinalEncoder, pandas str",
        ours,
        t_ord,
        ">= 5x faster",
    )

    # 8. Peak memory while transforming a large column, in a fresh process.
    big_n = args.big_rows
    code = textwrap.dedent(f"""
        import numpy as np, pandas as pd, pyarrow as pa
        from skstringlookup import StringLookupTransformer
        rng = np.random.default_rng(0)
        vocab = np.array([f"term{{i:07d}}" for i in range(10_000)], dtype=object)
        s = pd.Series(vocab[rng.zipf(1.2, {big_n}) % 10_000], dtype="str")
        frame = pd.DataFrame({{"c": s}})
        est = StringLookupTransformer(engine="arrow").fit(frame.iloc[:100_000])
        est.transform(frame.iloc[:10])
        input_mb = pa.array(s.array).nbytes / 2**20
        import gc; gc.collect()
        from pathlib import Path
        def status(key):
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
        # Give freed heap pages back, then reset the high-water mark, so that
        # it tells the transform's own peak.
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")
        before = status("VmRSS:")
        out = est.transform(frame)
        peak = status("VmHWM:")
        print(input_mb, out.nbytes / 2**20, before, peak)
        print(peak)
    """)
    # The system allocator, so that malloc_trim also returns Arrow's pages.
    _, _, stdout = run_child(code, ARROW_DEFAULT_MEMORY_POOL="system")
    input_mb, output_mb, before, peak = map(
        float, stdout.strip().splitlines()[-2].split()
    )
    # Memory the transform needed beyond what was resident before it (the
    # input among it).
    extra = peak - before
    ratio = (input_mb + extra) / (input_mb + output_mb)
    rows.append(
        (
            8,
            f"peak memory transforming {big_n:,} rows vs input + output",
            f"{ratio:.2f}x ({input_mb:.0f} MB in, {output_mb:.0f} MB out, "
            f"{extra:.0f} MB used)",
            "<= 1.5x",
        )
    )
    print("  ", rows[-1], flush=True)

    print()
    print("| # | measurement | result | goal |")
    print("|---|---|---|---|")
    for number, what, figure, goal in sorted(rows, key=lambda r: r[0]):
        print(f"| {number} | {what} | {figure} | {goal} |")
    print()
    print(
        f"skstringlookup {skstringlookup.__version__}, tensorflow {tf.__version__}, "
        f"keras {tf.keras.__name__.split('.')[0]} "
        f"{getattr(tf.keras, '__version__', '')}, scikit-learn {sklearn.__version__}, "
        f"pandas {pd.__version__}, numpy {np.__version__}, "
        f"pyarrow {__import__('pyarrow').__version__}; Python "
        f"{platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.platform()}"
    )


if __name__ == "__main__":
    main()
