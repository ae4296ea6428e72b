"""Writing a vocabulary in Keras' one-term-per-line file format."""

import os

from skstringlookup._select import select_block

__all__ = ["LINE_BREAKS", "save_vocabulary"]

#: Characters that end a line for TensorFlow's file reader ("\n"; a "\r"
#: before it is dropped) or for ``str.splitlines``, which Keras uses to read
#: the ``vocabulary.txt`` asset of a ``.keras`` file.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _check_term(term, position, label):
    if term == "":
        msg = (
            f"Terms written to a vocabulary file must not be empty. Got '' at "
            f"position {position} of {label} instead: an empty "
            "line is an error for Keras and for the transformer. Pass the terms "
            "as a list (vocabulary=...) or use to_keras_layer instead of a file."
        )
        raise ValueError(msg)
    breaks = sorted(set(term) & LINE_BREAKS)
    if breaks:
        msg = (
            "Terms written to a vocabulary file must not hold line breaks. Got "
            f"{term!r} (with {', '.join(repr(c) for c in breaks)}) at position "
            f"{position} of {label} instead: it would be read "
            "back as several terms. Pass the terms as a list (vocabulary=...) or "
            "use to_keras_layer instead of a file."
        )
        raise ValueError(msg)
    if position == 0 and term.startswith("\ufeff"):
        msg = (
            "The first term written to a vocabulary file must not start with a "
            f"byte-order mark (U+FEFF). Got {term!r} instead: the transformer "
            "strips a leading byte-order mark when it reads the file."
        )
        raise ValueError(msg)


def save_vocabulary(est, path, column=None):
    """Write the terms of one vocabulary of `est`, one per line.

    The file is what ``keras.layers.StringLookup(vocabulary=path)`` and
    ``StringLookupTransformer(vocabulary=path)`` read: UTF-8, each term
    followed by ``"\\n"``, the terms only, in index order. The mask and OOV
    tokens are left out, as both readers expect; give the same
    ``mask_token``, ``oov_token`` and ``num_oov_indices`` to the reader to
    get the same indices.

    Parameters
    ----------
    est : StringLookupTransformer
        A fitted transformer.
    path : str or path-like
        The file to write; it is replaced if it exists.
    column : str or int, default=None
        The column whose vocabulary to write, by name or position. May be
        omitted when `est` has one column or a shared vocabulary.

    Raises
    ------
    ValueError
        If `column` is needed and missing or unknown, or if a term cannot be
        held by the format, naming the term: an empty term, a term holding a
        line break (``"\\n"``, ``"\\r"``, or any other character on which
        ``str.splitlines`` splits, such as ``"\\x85"`` or ``"\\u2028"``), or a
        first term starting with a byte-order mark. Nothing is written then.

    Notes
    -----
    The file is always UTF-8, whatever ``est.encoding`` is: Keras looks up
    ``str`` inputs by their UTF-8 bytes. Read it back with the default
    ``encoding="utf-8"``.

    A vocabulary file holds no tf-idf weights; neither reader accepts one
    with ``output_mode="tf_idf"``.
    """
    _, block, label = select_block(est, column, "save_vocabulary")
    terms = est.vocabularies_[block]
    for i, term in enumerate(terms):
        _check_term(term, i, label)

    data = "".join(f"{term}\n" for term in terms).encode("utf-8")
    with open(os.fspath(path), "wb") as f:
        f.write(data)
