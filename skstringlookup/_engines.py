"""Lookup engines: term -> index in the Keras int layout, for one block.

Every engine returns int64 indices laid out as the Keras layer in ``int``
mode lays them out: the mask at 0 (when a mask token is set), then the OOV
slots, then the terms. Missing cells (Arrow nulls) come back as ``MISSING``;
unseen terms with ``num_oov_indices=0`` come back as ``UNSEEN``, so that the
caller can name them in its error.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["MISSING", "UNSEEN", "ArrowLookup", "KerasLookup", "oov_buckets"]

MISSING = -1
UNSEEN = -2

# Below this many rows a Python dict beats launching Arrow kernels.
SMALL_BATCH = 32
# Above this many terms (and four times more terms than rows), Arrow's per-call
# hash table build costs more than mapping the batch's distinct values through
# the cached dict.
LARGE_VOCABULARY = 65_536


def oov_buckets(terms, num_oov_indices):
    """OOV bucket of each term, as TensorFlow's ``to_hash_bucket_fast``.

    That is FarmHash Fingerprint64 of the UTF-8 bytes, modulo
    `num_oov_indices`, in unsigned arithmetic.
    """
    import farmhash

    return np.array(
        [farmhash.fingerprint64(t.encode("utf-8")) % num_oov_indices for t in terms],
        dtype=np.int64,
    )


class ArrowLookup:
    """Lookup with Arrow compute kernels, a dict for small batches.

    Built once per block and shared by threads: it only reads its state
    after ``__init__``.
    """

    def __init__(self, terms, config):
        self.config = config
        self.n_terms = len(terms)
        value_set = list(terms)
        targets = list(range(config.token_start, config.token_start + len(terms)))
        if config.mask_token is not None:
            value_set.append(config.mask_token)
            targets.append(0)
        self.value_set = pa.array(value_set, type=pa.large_string())
        self.targets = np.array(targets, dtype=np.int64)
        self.index = dict(zip(value_set, targets, strict=True))

    def _unseen(self, terms):
        k = self.config.num_oov_indices
        if k == 0:
            return np.full(len(terms), UNSEEN, dtype=np.int64)
        if k == 1:
            return np.full(len(terms), self.config.oov_start, dtype=np.int64)
        return oov_buckets(terms, k) + self.config.oov_start

    def lookup(self, values):
        n = len(values)
        if n <= SMALL_BATCH:
            return self.lookup_cells(values.to_pylist())
        if self.n_terms > LARGE_VOCABULARY and 4 * n < self.n_terms:
            return self._lookup_distinct(values)

        found = pc.index_in(values, value_set=self.value_set)
        out = np.full(n, MISSING, dtype=np.int64)
        is_found = found.is_valid().to_numpy(zero_copy_only=False)
        out[is_found] = self.targets[found.drop_null().to_numpy()]

        unseen = values.is_valid().to_numpy(zero_copy_only=False) & ~is_found
        if unseen.any():
            out[unseen] = self._map_unseen(values.filter(pa.array(unseen)))
        return out

    def _map_unseen(self, unseen_values):
        if self.config.num_oov_indices <= 1:
            return self._unseen([None] * len(unseen_values))
        # Hash each distinct unseen term once.
        encoded = pc.dictionary_encode(unseen_values)
        buckets = self._unseen(encoded.dictionary.to_pylist())
        return buckets[encoded.indices.to_numpy()]

    def _lookup_distinct(self, values):
        encoded = pc.dictionary_encode(values)
        distinct = encoded.dictionary.to_pylist()
        if not distinct:
            return np.full(len(values), MISSING, dtype=np.int64)
        get = self.index.get
        mapped = np.fromiter(
            (get(t, UNSEEN - 1) for t in distinct), dtype=np.int64, count=len(distinct)
        )
        missing = mapped == UNSEEN - 1
        if missing.any():
            mapped[missing] = self._unseen(
                [t for t, m in zip(distinct, missing, strict=True) if m]
            )
        codes = encoded.indices
        out = mapped[codes.fill_null(0).to_numpy()]
        if codes.null_count:
            out[codes.is_null().to_numpy(zero_copy_only=False)] = MISSING
        return out

    def lookup_cells(self, cells):
        """Lookup of a list of str (or None for missing), one dict get each."""
        get = self.index.get
        out = np.empty(len(cells), dtype=np.int64)
        for i, term in enumerate(cells):
            if term is None:
                out[i] = MISSING
                continue
            index = get(term)
            out[i] = self._unseen([term])[0] if index is None else index
        return out


class KerasLookup:
    """Lookup through a Keras ``StringLookup`` layer in ``int`` mode.

    The layer comes from ``tf.keras.layers``, so ``TF_USE_LEGACY_KERAS=1``
    selects Keras 2 (tf_keras) as it does for any TensorFlow user.
    """

    def __init__(self, terms, config):
        try:
            import tensorflow as tf
        except ImportError as exc:
            msg = (
                "engine='keras' needs TensorFlow, which cannot be imported here "
                f"({exc}). Install tensorflow, or call set_params(engine='arrow'),"
                " which gives the same output without TensorFlow."
            )
            raise ImportError(msg) from exc

        self.config = config
        self.placeholder = terms[0]
        self.terms = terms
        # An object array keeps trailing NUL characters, which a list (through
        # a NumPy str array) would silently drop.
        self.layer = tf.keras.layers.StringLookup(
            vocabulary=np.array(terms, dtype=object),
            mask_token=config.mask_token,
            oov_token=config.oov_token,
            num_oov_indices=config.num_oov_indices,
            output_mode="int",
        )
        self.errors = (tf.errors.InvalidArgumentError,)
        # Call once so that the layer is built before threads share it.
        self.layer(np.array([self.placeholder], dtype=object))

    def lookup(self, values):
        if len(values) == 0:
            return np.empty(0, dtype=np.int64)
        cells = values.to_numpy(zero_copy_only=False)
        has_missing = values.null_count > 0
        if has_missing:
            missing = values.is_null().to_numpy(zero_copy_only=False)
            cells = cells.copy()
            cells[missing] = self.placeholder

        try:
            out = np.asarray(self.layer(cells)).astype(np.int64, copy=False)
        except self.errors:
            # num_oov_indices=0 and an unseen term: let the caller name it.
            # Rare, so the Arrow lookup that marks the unseen cells is only
            # built here.
            return ArrowLookup(self.terms, self.config).lookup(values)

        if has_missing:
            out = out.copy()
            out[missing] = MISSING
        return out
