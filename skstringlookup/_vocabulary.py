"""Learning vocabularies the way Keras ``adapt`` does, and checking given ones.

Learning counts terms with Arrow kernels, then orders them as Keras does:
count descending, ties by UTF-8 bytes descending. Keras sorts the same way
with ``np.lexsort((tokens, counts))[::-1]``; this module never imports
TensorFlow.
"""

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "TermCounts",
    "count_terms",
    "idf_weights",
    "rank_terms",
    "read_vocabulary_file",
    "resolve_given",
]

# Rows whose document counts are taken at a time, so that the term codes of a
# shared vocabulary's rows stay small beside the input.
DOC_CHUNK_ROWS = 1 << 20


class TermCounts:
    """Term counts of one vocabulary block, mergeable across chunks.

    Attributes
    ----------
    terms : pyarrow.Array of large_string
    counts : ndarray of int64
        Cells holding the term.
    doc_counts : ndarray of int64
        Documents (rows) holding the term at least once.
    n_docs : int
        Rows seen.
    n_cells : int
        Non-missing cells seen.
    """

    __slots__ = ("counts", "doc_counts", "n_cells", "n_docs", "terms")

    def __init__(self, terms, counts, doc_counts, n_docs, n_cells):
        self.terms = terms
        self.counts = counts
        self.doc_counts = doc_counts
        self.n_docs = n_docs
        self.n_cells = n_cells

    def to_dict(self):
        """Plain Python and NumPy data, for pickles and skops."""
        return {
            "terms": self.terms.to_pylist(),
            "counts": self.counts,
            "doc_counts": self.doc_counts,
            "n_docs": int(self.n_docs),
            "n_cells": int(self.n_cells),
        }

    @classmethod
    def from_dict(cls, state):
        """Inverse of :meth:`to_dict`."""
        terms = pa.array(state["terms"], type=pa.large_string())
        return cls(
            terms,
            np.asarray(state["counts"], dtype=np.int64),
            np.asarray(state["doc_counts"], dtype=np.int64),
            state["n_docs"],
            state["n_cells"],
        )

    def merge(self, other):
        """Counts of both chunks together.

        Each side holds a term once: the terms of `other` are looked up among
        those of `self`, the counts of the terms found are added, and the
        other terms follow. No hash table of both sides is built.
        """
        index = pc.index_in(other.terms, value_set=self.terms)
        found = index.is_valid().to_numpy(zero_copy_only=False)
        at = index.drop_null().to_numpy()
        counts = self.counts.copy()
        counts[at] += other.counts[found]
        doc_counts = self.doc_counts.copy()
        doc_counts[at] += other.doc_counts[found]
        new = ~found
        return TermCounts(
            pa.concat_arrays([self.terms, other.terms.filter(pa.array(new))]),
            np.concatenate([counts, other.counts[new]]),
            np.concatenate([doc_counts, other.doc_counts[new]]),
            self.n_docs + other.n_docs,
            self.n_cells + other.n_cells,
        )


def count_terms(columns, n_rows):
    """Count the terms of the given columns as one block.

    Several columns form one block when the vocabulary is shared; a row is then
    one document. Nothing of the size of the input is copied: the columns are
    counted as one chunked array, and the document counts are taken
    `DOC_CHUNK_ROWS` rows at a time.
    """
    values = pa.chunked_array(columns, type=columns[0].type)
    n_cells = len(values) - values.null_count
    counted = pc.value_counts(values)
    if values.null_count:
        counted = counted.filter(counted.field("values").is_valid())
    terms = counted.field("values")
    counts = counted.field("counts").to_numpy().astype(np.int64)

    if len(columns) == 1:
        # One cell per row: a term's document count is its count.
        doc_counts = counts.copy()
    else:
        doc_counts = np.zeros(len(terms), dtype=np.int64)
        for start in range(0, n_rows, DOC_CHUNK_ROWS):
            part = [column.slice(start, DOC_CHUNK_ROWS) for column in columns]
            doc_counts += _doc_counts(part, terms)

    return TermCounts(terms, counts, doc_counts, n_rows, n_cells)


def _doc_counts(columns, terms):
    """How many rows of `columns` hold each of `terms`.

    A row holds a term once however many of its cells hold it: the term codes
    are sorted within each row, and each run of a code counts once.
    """
    codes = np.empty((len(columns[0]), len(columns)), dtype=np.int32)
    for j, column in enumerate(columns):
        found = pc.index_in(column, value_set=terms).fill_null(-1)
        codes[:, j] = found.to_numpy(zero_copy_only=False)
    codes.sort(axis=1)
    first = np.ones(codes.shape, dtype=bool)
    first[:, 1:] = codes[:, 1:] != codes[:, :-1]
    first &= codes >= 0
    return np.bincount(codes[first], minlength=len(terms))


def rank_terms(counts, config):
    """Learned terms in Keras order, and the positions of the kept terms.

    Drops the mask and OOV tokens, applies ``min_frequency`` and then
    ``max_tokens``.
    """
    terms = counts.terms
    keep = np.ones(len(terms), dtype=bool)
    for special in (config.mask_token, config.oov_token):
        if special is not None:
            keep &= pc.not_equal(terms, special).to_numpy(zero_copy_only=False)

    min_frequency = config.min_frequency
    if min_frequency is not None:
        if isinstance(min_frequency, float):
            keep &= counts.counts >= min_frequency * counts.n_cells
        else:
            keep &= counts.counts >= min_frequency

    kept = np.flatnonzero(keep)
    table = pa.table({"c": counts.counts[kept], "t": terms.take(kept)})
    order = pc.sort_indices(
        table, sort_keys=[("c", "descending"), ("t", "descending")]
    ).to_numpy()
    if config.max_terms is not None:
        order = order[: config.max_terms]
    positions = kept[order]
    return terms.take(positions).to_pylist(), positions


def idf_weights(counts, positions, n_oov):
    """Keras tf-idf weights: OOV slots first, then one weight per term.

    A term's weight is ``ln(1 + N / (1 + df))`` in float64, stored as float32;
    the OOV slots get the mean of the term weights.
    """
    df = counts.doc_counts[positions].astype(np.float64)
    weights = np.log(1.0 + counts.n_docs / (1.0 + df)).astype(np.float32)
    oov = np.float32(weights.astype(np.float64).mean()) if len(weights) else 0.0
    return np.concatenate([np.full(n_oov, oov, dtype=np.float32), weights])


def read_vocabulary_file(path, encoding):
    """Terms of a one-term-per-line vocabulary file.

    Lines end with ``\\n``; one trailing ``\\r`` per line is removed, as
    TensorFlow's file reader does. Unlike that reader, a leading byte-order
    mark is removed too (it would otherwise make the first term unreachable).
    The last line may end with a newline; any other empty line is an error.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        msg = f"vocabulary must name a readable file. Got {os.fspath(path)!r} "
        msg += f"instead ({exc.strerror})."
        raise ValueError(msg) from None

    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        msg = (
            f"The vocabulary file {os.fspath(path)!r} is not valid {encoding} "
            f"({exc.reason} at byte {exc.start}). Set the encoding parameter to "
            "the file's encoding."
        )
        raise ValueError(msg) from None

    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    terms = [line.removesuffix("\r") for line in lines]
    for number, term in enumerate(terms, start=1):
        if term == "":
            msg = (
                f"The vocabulary file {os.fspath(path)!r} has an empty line at "
                f"line {number}. Each line must hold one term; remove blank lines."
            )
            raise ValueError(msg)
    return terms


def _is_list_like(value):
    return isinstance(value, (list, tuple)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )


def _split_given(vocabulary, n_blocks, names, param):
    """The given vocabulary (or weights) as one entry per block."""
    if isinstance(vocabulary, dict):
        if names is None:
            msg = (
                f"{param} can be a dict only when X has column names (a "
                "DataFrame). Got a dict for input without names instead."
            )
            raise ValueError(msg)
        if n_blocks == 1 and len(names) > 1:
            msg = f"{param} must be one list when shared_vocabulary=True. "
            msg += "Got a dict instead."
            raise ValueError(msg)
        keys, expected = set(vocabulary), set(names)
        if keys != expected:
            missing = sorted(expected - keys, key=str)
            extra = sorted(keys - expected, key=str)
            msg = (
                f"{param} must have one entry per column of X. Missing columns: "
                f"{missing}; unknown columns: {extra}."
            )
            raise ValueError(msg)
        return [vocabulary[name] for name in names]

    nested = _is_list_like(vocabulary) and len(vocabulary) > 0
    nested = nested and all(_is_list_like(v) for v in vocabulary)
    if nested:
        if n_blocks == 1 and len(vocabulary) == 1:
            return [vocabulary[0]]
        if len(vocabulary) != n_blocks:
            msg = (
                f"{param} must hold one list per column of X ({n_blocks}). Got "
                f"{len(vocabulary)} lists instead."
            )
            raise ValueError(msg)
        return list(vocabulary)

    if n_blocks != 1:
        msg = (
            f"{param} must hold one list per column of X ({n_blocks} columns), "
            "or be a dict from column name to list, unless "
            "shared_vocabulary=True. Got a single list instead."
        )
        raise ValueError(msg)
    return [vocabulary]


def _check_terms(terms, label, encoding):
    if not _is_list_like(terms):
        msg = f"{label} must be a list of str terms. Got {terms!r} instead."
        raise TypeError(msg)
    out = []
    for position, term in enumerate(terms):
        if isinstance(term, (bytes, np.bytes_)):
            try:
                term = bytes(term).decode(encoding)
            except UnicodeDecodeError:
                msg = (
                    f"{label} holds bytes at position {position} that are not "
                    f"valid {encoding}: {term!r}."
                )
                raise ValueError(msg) from None
        if not isinstance(term, str):
            msg = (
                f"{label} must hold only str terms. Got {term!r} "
                f"({type(term).__name__}) at position {position} instead; convert "
                "numbers to their str() text."
            )
            raise TypeError(msg)
        try:
            term.encode("utf-8")
        except UnicodeEncodeError:
            msg = f"{label} holds a term that is not valid UTF-8: {term!r}."
            raise ValueError(msg) from None
        out.append(str(term))
    return out


def check_vocabulary(terms, config, label):
    """Check terms against the layout; raise as Keras does, and where it doesn't."""
    if len(terms) == 0:
        msg = f"{label} must hold at least one term. Got an empty vocabulary."
        raise ValueError(msg)

    seen, repeated = set(), []
    for term in terms:
        if term in seen and term not in repeated:
            repeated.append(term)
        seen.add(term)
    if repeated:
        msg = f"{label} must not repeat terms. Repeated: {repeated[:10]}."
        raise ValueError(msg)

    if config.mask_token is not None and config.mask_token in seen:
        where = terms.index(config.mask_token)
        msg = (
            f"{label} holds the mask token {config.mask_token!r} at position "
            f"{where}. Leave the mask and OOV tokens out of the vocabulary."
        )
        raise ValueError(msg)
    if config.oov_token in seen:
        where = terms.index(config.oov_token)
        msg = (
            f"{label} holds the OOV token {config.oov_token!r} at position "
            f"{where}. Leave the mask and OOV tokens out of the vocabulary, or "
            "choose another oov_token."
        )
        raise ValueError(msg)

    if config.max_terms is not None and len(terms) > config.max_terms:
        msg = (
            f"{label} has {len(terms)} terms, but max_tokens={config.max_tokens} "
            f"leaves room for {config.max_terms} after {config.reserved} reserved "
            "indices. Raise max_tokens or shorten the vocabulary."
        )
        raise ValueError(msg)


def _special_prefix(config):
    mask = [config.mask_token] if config.reserved > config.num_oov_indices else []
    return mask + [config.oov_token] * config.num_oov_indices


def resolve_given(vocabulary, weights, config, n_blocks, names):
    """Vocabularies (and tf-idf weights) from the `vocabulary` parameter.

    Returns a list of term lists and, for tf_idf, a list of float32 weight
    arrays laid out as in :func:`idf_weights`.
    """
    if config.min_frequency is not None:
        msg = (
            "min_frequency must be None when a vocabulary is given, since "
            f"nothing is learned. Got {config.min_frequency!r} instead."
        )
        raise ValueError(msg)
    if config.output_mode == "tf_idf" and weights is None:
        msg = (
            "idf_weights must be given with the vocabulary when "
            "output_mode='tf_idf'. Got idf_weights=None instead."
        )
        raise ValueError(msg)

    if isinstance(vocabulary, (str, os.PathLike)):
        if config.output_mode == "tf_idf":
            msg = (
                "vocabulary must be a list, not a file, when output_mode="
                "'tf_idf' (a file holds no weights)."
            )
            raise ValueError(msg)
        vocabulary = read_vocabulary_file(vocabulary, config.encoding)

    blocks = _split_given(vocabulary, n_blocks, names, "vocabulary")
    block_weights = None
    if weights is not None:
        block_weights = _split_given(weights, n_blocks, names, "idf_weights")

    prefix = _special_prefix(config)
    vocabularies, all_weights = [], []
    for b, given in enumerate(blocks):
        label = "vocabulary" if n_blocks == 1 else f"vocabulary[{_name(names, b)}]"
        terms = _check_terms(given, label, config.encoding)
        has_prefix = len(prefix) > 0 and terms[: len(prefix)] == prefix
        if has_prefix:
            terms = terms[len(prefix) :]
        check_vocabulary(terms, config, label)
        vocabularies.append(terms)

        if block_weights is not None:
            all_weights.append(
                _given_weights(block_weights[b], len(given), has_prefix, config, b)
            )

    return vocabularies, (all_weights if block_weights is not None else None)


def _name(names, b):
    return repr(names[b]) if names is not None else b


def _given_weights(given, n_given, has_prefix, config, b):
    label = "idf_weights" if b == 0 else f"idf_weights[{b}]"
    try:
        weights = np.asarray(given)
        ok = weights.ndim == 1 and weights.dtype.kind in "iuf"
    except (TypeError, ValueError):
        ok = False
    if not ok:
        msg = f"{label} must be a 1-D list of numbers. Got {given!r} instead."
        raise ValueError(msg)
    if len(weights) != n_given:
        msg = (
            f"{label} must have one weight per vocabulary entry ({n_given}). Got "
            f"{len(weights)} weights instead."
        )
        raise ValueError(msg)
    if not np.all(np.isfinite(weights)):
        msg = f"{label} must hold finite numbers. Got {given!r} instead."
        raise ValueError(msg)

    if has_prefix:
        # The prefix entries already are the OOV weights (Keras' rule); a mask
        # never has a weight, since tf_idf gives it no slot.
        return weights.astype(np.float32)
    oov = np.average(weights)
    front = np.full(config.num_oov_indices, oov)
    return np.concatenate([front, weights]).astype(np.float32)
