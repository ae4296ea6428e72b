"""From int-layout indices to the five Keras output modes, dense or sparse."""

import numpy as np

__all__ = ["CHUNK_ROWS", "encode"]

# Rows looked up (in _transformer) and encoded (here) at a time. A lookup's
# temporary arrays (for the Keras engine, the cells as Python objects and as a
# string tensor, ten times the size of the int64 indices) and an encoding's
# then stay small beside the input and the output, however many rows there are.
CHUNK_ROWS = 1 << 20


def _sparse_container():
    import scipy.sparse as sp
    from sklearn import get_config

    # scikit-learn 1.9 lets users ask for sparse arrays instead of matrices.
    if get_config().get("sparse_interface") == "sparray":
        return sp.csr_array
    return sp.csr_matrix


def encode(blocks, depths, config, weights):
    """Encode the lookups of every block side by side.

    The non-int modes encode `CHUNK_ROWS` rows at a time into the output,
    so that their temporary arrays stay small beside it; a sparse output is
    stacked from its chunks at the end.

    Parameters
    ----------
    blocks : list of ndarray of shape (n_samples, n_columns_in_block)
        Int-layout indices; a mask cell holds 0 when a mask token is set.
    depths : list of int
        Width of each block's encoding (non-int modes).
    config : Config
    weights : list of ndarray or None
        tf-idf weights per block, OOV slots first.
    """
    n_rows = blocks[0].shape[0]
    if config.output_mode == "int" or n_rows <= CHUNK_ROWS:
        return _encode_rows(blocks, depths, config, weights)

    parts, out = [], None
    for start in range(0, n_rows, CHUNK_ROWS):
        chunk = [block[start : start + CHUNK_ROWS] for block in blocks]
        part = _encode_rows(chunk, depths, config, weights)
        if config.sparse:
            parts.append(part)
            continue
        if out is None:
            out = np.empty((n_rows, part.shape[1]), dtype=part.dtype)
        out[start : start + len(part)] = part
    if config.sparse:
        import scipy.sparse as sp

        return sp.vstack(parts, format="csr")
    return out


def _encode_rows(blocks, depths, config, weights):
    """:func:`encode` of all the rows of `blocks` at once."""
    n_rows = blocks[0].shape[0]
    if config.output_mode == "int":
        out = blocks[0] if len(blocks) == 1 else np.hstack(blocks)
        return _cast(out, config.dtype or np.int64, config)

    rows, cols = [], []
    offset = 0
    one_hot = config.output_mode == "one_hot"
    for b, idx in enumerate(blocks):
        idx = idx - config.output_shift
        for j in range(idx.shape[1]):
            # A negative index is a mask cell: non-int modes drop it.
            kept = idx[:, j] >= 0
            rows.append(np.flatnonzero(kept))
            cols.append(idx[kept, j] + offset)
            if one_hot:
                offset += depths[b]
        if not one_hot:
            offset += depths[b]

    rows = np.concatenate(rows)
    cols = np.concatenate(cols)
    shape = (n_rows, offset)
    dtype = config.dtype or (np.float32 if config.output_mode == "tf_idf" else np.int64)

    if config.sparse:
        matrix = _sparse_container()
        out = matrix((np.ones(len(rows), np.int64), (rows, cols)), shape=shape)
        out.sum_duplicates()
        out.sort_indices()
        if config.output_mode == "multi_hot":
            out.data[:] = 1
        elif config.output_mode == "tf_idf":
            # count * weight in float32, as the Keras layer computes it.
            column_weights = _column_weights(depths, weights)
            values = out.data.astype(np.float32) * column_weights[out.indices]
            out = matrix((values, out.indices, out.indptr), shape=shape)
        out.data = _cast(out.data, dtype, config)
        return out

    flat = rows * offset + cols
    if config.output_mode in ("one_hot", "multi_hot"):
        out = np.zeros(n_rows * offset, dtype=np.int64)
        out[flat] = 1
    else:
        out = np.bincount(flat, minlength=n_rows * offset)
    out = out.reshape(n_rows, offset)
    if config.output_mode == "tf_idf":
        out = out.astype(np.float32) * _column_weights(depths, weights)
    return _cast(out, dtype, config)


def _cast(out, dtype, config):
    """`out` as `dtype`, refusing a dtype that cannot hold its values exactly."""
    dtype = np.dtype(dtype)
    if config.dtype is None or out.dtype == dtype or out.size == 0:
        return out.astype(dtype, copy=False)
    if out.dtype.kind in "iu":
        if dtype.kind == "b":
            fits = out.min() >= 0 and out.max() <= 1
        elif dtype.kind in "iu":
            info = np.iinfo(dtype)
            fits = info.min <= out.min() and out.max() <= info.max
        else:
            # Floats hold integers exactly up to 2 ** (mantissa bits + 1).
            fits = np.abs(out).max() <= 2 ** (np.finfo(dtype).nmant + 1)
        if not fits:
            msg = (
                f"dtype must hold every output value exactly; {dtype} cannot hold "
                f"{out.max()} (output_mode={config.output_mode!r}). Got "
                f"dtype={config.dtype!r} instead; choose a wider dtype or None."
            )
            raise ValueError(msg)
    return out.astype(dtype, copy=False)


def _column_weights(depths, weights):
    """tf-idf weight of every output column, zero for padding columns."""
    parts = []
    for b in range(len(depths)):
        w = np.zeros(depths[b], dtype=np.float32)
        w[: len(weights[b])] = weights[b]
        parts.append(w)
    return np.concatenate(parts)
