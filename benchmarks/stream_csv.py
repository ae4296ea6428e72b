"""Worked example: learn a vocabulary from a CSV file read in chunks.

``partial_fit`` adds up the term counts of each chunk, so a file larger than
memory can be fitted with ``pandas.read_csv(..., chunksize=...)``; the result
equals one ``fit`` on the whole file. Run::

    python benchmarks/stream_csv.py [path.csv] [--chunksize 100000]

Without a path, it writes a small CSV file to a temporary folder first.

Two points matter when reading in chunks:

- Read the columns as text (``dtype=str``). pandas infers the dtype of each
  chunk on its own: a column of codes 1, 2, 3 reads as int64 in one chunk and
  as float64 (1.0, 2.0, 3.0) in a chunk that holds an empty cell, and the
  transformer would learn "1" and "1.0" as two terms. Empty cells still read
  as missing.
- A chunk after which no term reaches ``min_frequency`` yet raises the error
  that ``fit`` on the rows so far raises; use chunks large enough for the
  first one to hold a frequent term, or start with a plain ``fit`` on a sample
  to check the settings.
"""

import argparse
import os
import tempfile

import numpy as np
import pandas as pd

from skstringlookup import StringLookupTransformer


def write_example(path, n_rows=250_000, seed=0):
    """A CSV file with a city and a product code per row, some codes missing."""
    rng = np.random.default_rng(seed)
    cities = np.array(["Oslo", "Lima", "Pune", "Kyiv", "Quito", "Accra"])
    codes = rng.zipf(1.5, n_rows) % 500
    frame = pd.DataFrame(
        {"city": cities[rng.integers(0, len(cities), n_rows)], "code": codes}
    )
    frame["code"] = frame["code"].astype(object)
    frame.loc[rng.random(n_rows) < 0.01, "code"] = None
    frame.to_csv(path, index=False)


def fit_in_chunks(path, chunksize, **params):
    """A transformer fitted on `path`, `chunksize` rows at a time."""
    lookup = StringLookupTransformer(**params)
    for chunk in pd.read_csv(path, chunksize=chunksize, dtype=str):
        lookup.partial_fit(chunk)
    return lookup


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", help="a CSV file; made up if omitted")
    parser.add_argument("--chunksize", type=int, default=100_000)
    args = parser.parse_args()

    params = {"engine": "arrow", "max_tokens": 100, "min_frequency": 5}
    with tempfile.TemporaryDirectory() as tmp:
        path = args.path or os.path.join(tmp, "rows.csv")
        if args.path is None:
            write_example(path)

        lookup = fit_in_chunks(path, args.chunksize, **params)

        # The same fit in one go, which needs the whole file in memory.
        whole = StringLookupTransformer(**params).fit(pd.read_csv(path, dtype=str))
        assert lookup.vocabularies_ == whole.vocabularies_
        first = pd.read_csv(path, nrows=5, dtype=str)
        print(first.assign(indices=list(lookup.transform(first))))

    for name, terms in zip(lookup.feature_names_in_, lookup.vocabularies_, strict=True):
        print(f"{name}: {len(terms)} terms, most frequent first: {terms[:8]}")
    print(f"rows counted: {lookup._term_counts[0].n_docs:,}")


if __name__ == "__main__":
    main()
