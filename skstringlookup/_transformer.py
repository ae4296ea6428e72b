"""The scikit-learn estimator around the Keras ``StringLookup`` layer."""

import threading
import weakref

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from skstringlookup._columns import (
    column_kind,
    column_label,
    is_pandas_frame,
    read_index_columns,
    read_text_columns,
    split_frame,
)
from skstringlookup._encode import CHUNK_ROWS, encode
from skstringlookup._engines import (
    MISSING,
    SMALL_BATCH,
    UNSEEN,
    ArrowLookup,
    KerasLookup,
)
from skstringlookup._params import resolve_config
from skstringlookup._vocabulary import (
    TermCounts,
    check_vocabulary,
    count_terms,
    idf_weights,
    rank_terms,
    resolve_given,
)

__all__ = ["StringLookupTransformer"]

# Version of the pickled state; bump it when the fitted attributes change
# meaning, and teach __setstate__ to read the older versions.
STATE_VERSION = 1
_STATE_KEY = "_skstringlookup_state_version"

# Caches rebuilt from the fitted state live here, outside the instances'
# __dict__, so that transform never changes an estimator's attributes and
# pickles never see them. Guarded by _CREATE_LOCK.
_CREATE_LOCK = threading.Lock()
_RUNTIMES = weakref.WeakKeyDictionary()

_ENGINES = {"arrow": ArrowLookup, "keras": KerasLookup}


class _Terms(list):
    """A vocabulary list that counts its in-place edits.

    Lookup tables are cached per vocabulary; the count tells the cache that an
    edited list needs checking and new tables. Pickles hold a plain list.
    """

    edits = 0

    def _edited(method):
        def edit(self, *args, **kwargs):
            self.edits += 1
            return method(self, *args, **kwargs)

        edit.__name__ = method.__name__
        edit.__doc__ = method.__doc__
        return edit

    for _name in (
        "__setitem__",
        "__delitem__",
        "__iadd__",
        "__imul__",
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "reverse",
        "sort",
        "clear",
    ):
        locals()[_name] = _edited(getattr(list, _name))
    del _name, _edited

    def __reduce__(self):
        return list, (list(self),)


class _Runtime:
    """Caches rebuilt from the fitted state; never pickled."""

    def __init__(self):
        self.lock = threading.Lock()
        self.config_key = None
        self.config = None
        self.lookups = {}
        self.layouts = {}
        self.names = (None, None)

    def names_for(self, feature_names_in):
        """`feature_names_in` as a list, converted once."""
        if self.names[0] is not feature_names_in:
            self.names = (feature_names_in, list(feature_names_in))
        return self.names[1]


_NOT_TEXT = object()


def _plain_text(cell):
    """`cell` if it is UTF-8 encodable str, None if missing, else _NOT_TEXT."""
    if type(cell) is str:
        if cell.isascii():
            return cell
        try:
            cell.encode("utf-8")
        except UnicodeEncodeError:
            return _NOT_TEXT
        return cell
    if cell is None or (type(cell) is float and cell != cell):
        return None
    if type(cell).__name__ == "NAType":
        return None
    return _NOT_TEXT


def _is_dask(X):
    return type(X).__module__.partition(".")[0] in ("dask", "dask_expr")


def _key_part(value):
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value


class StringLookupTransformer(TransformerMixin, BaseEstimator):
    """Map strings to integer indices as Keras ``StringLookup`` does.

    The transformer learns one vocabulary per column (or one shared
    vocabulary) exactly as the Keras layer's ``adapt`` learns it, and its
    ``transform`` gives the indices, or the one-hot, multi-hot, count or
    tf-idf encodings, that the layer gives. Its fitted state is plain Python
    and NumPy data, so pipelines holding it pickle, and load without
    TensorFlow when ``engine="arrow"``.

    Parameters
    ----------
    max_tokens : int, default=None
        Largest size of each vocabulary, counting the OOV slots and, in
        ``int`` mode, the mask slot, as Keras counts them. None for no limit.
    num_oov_indices : int, default=1
        Number of out-of-vocabulary indices. Above 1, unseen terms are spread
        over the slots by FarmHash Fingerprint64, as Keras does. With 0, an
        unseen term raises a ``ValueError``.
    mask_token : str, default=None
        Term that maps to index 0 in ``int`` mode and is dropped in the other
        modes. None for no mask.
    oov_token : str, default="[UNK]"
        Term returned for OOV indices when ``invert=True`` or by
        ``inverse_transform``. It is never learned.
    vocabulary : list, dict, str or path-like, default=None
        A vocabulary to use instead of learning one: a list of terms (one
        column, or the shared vocabulary), a list of lists (one per column),
        a dict from column name to list, or a path to a file holding one term
        per line. A leading run of special tokens is stripped as Keras does.
    idf_weights : array-like, list or dict, default=None
        tf-idf weights matching ``vocabulary``, shaped the same way. Only for
        ``output_mode="tf_idf"``, where they are required with a vocabulary.
    invert : bool, default=False
        Map indices back to terms in ``transform``. ``fit`` still learns from
        terms.
    output_mode : {"int", "one_hot", "multi_hot", "count", "tf_idf"}, \
            default="int"
        Encoding of the output, as in Keras. ``"binary"`` and ``"tf-idf"``
        are accepted as Keras accepts them.
    pad_to_max_tokens : bool, default=False
        Make every encoded block ``max_tokens`` wide (non-int modes).
    sparse : bool, default=False
        Return a SciPy CSR matrix (non-int modes).
    encoding : str, default="utf-8"
        Codec for ``bytes`` cells and vocabulary files.
    handle_missing : {"oov", "mask", "error"}, default="oov"
        What becomes of missing cells (``None``, ``NaN``, ``pd.NA``): the first
        OOV index, the mask index (needs ``mask_token``), or a ``ValueError``
        naming the column. Missing cells are never learned.
    shared_vocabulary : bool, default=False
        Learn one vocabulary over all columns and treat each row as a bag of
        terms, as the Keras layer treats a 2-D input.
    dtype : numpy dtype, default=None
        Output dtype. None keeps Keras 3's: int64, or float32 for tf-idf.
    engine : {"keras", "arrow"}, default="keras"
        What looks the terms up in ``transform``: the Keras layer itself, or
        PyArrow compute kernels, which never import TensorFlow. Both give the
        same output. ``fit`` never needs TensorFlow.
    min_frequency : int or float, default=None
        Terms seen fewer times (an int) or in a smaller share of the
        non-missing cells (a float) are not learned. Applied before
        ``max_tokens``.

    Attributes
    ----------
    vocabularies_ : list of list of str
        The terms of each column, most frequent first, without the mask and
        OOV tokens; a single list when ``shared_vocabulary=True``.
    idf_weights_ : list of ndarray of float32
        For ``output_mode="tf_idf"``: the weights of each vocabulary, the
        ``num_oov_indices`` OOV weights first, then one per term.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, when they are all strings.

    See Also
    --------
    sklearn.preprocessing.OrdinalEncoder : Sorted categories, float codes.
    sklearn.preprocessing.OneHotEncoder : One column per category.

    Notes
    -----
    Index layout, as in Keras: in ``int`` mode the mask (if any) is 0, the OOV
    indices follow, then the terms. The other modes have no mask slot.

    Differences from the Keras layer, each deliberate:

    - Settings that Keras silently mishandles are errors: ``max_tokens`` that
      leaves no room for a term, ``mask_token == oov_token``, the OOV token
      inside a given vocabulary.
    - Terms ending in NUL and terms holding line breaks are kept exactly.
    - The OOV tf-idf weight is the mean of the term weights computed in
      float64; Keras' float32 ``reduce_mean`` can differ in the last bit.
    - Pickles hold no Keras object, so they load under Keras 2 or 3, or
      without TensorFlow.
    - A batch of 0 rows transforms to 0 rows, as the layer does; ``fit``
      still needs at least one row.

    Known limitations:

    - Numbers are looked up by their ``str()`` text, so ``1.0`` is not ``1``.
      An integer column that gains a missing value becomes a float column in
      pandas; keep it integer with the nullable ``"Int64"`` dtype, or cast it
      to ``str`` before fitting and transforming.

    Lookup tables are cached per fitted vocabulary; assigning new lists to
    ``vocabularies_``, or editing them in place, makes the next call check the
    vocabulary again and rebuild the tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from skstringlookup import StringLookupTransformer
    >>> X = pd.DataFrame({"pet": ["cat", "dog", "bird", "cat", "fish", "dog"]})
    >>> lookup = StringLookupTransformer(engine="arrow").fit(X)
    >>> lookup.vocabularies_
    [['dog', 'cat', 'fish', 'bird']]
    >>> lookup.transform(pd.DataFrame({"pet": ["cat", "dog", "lion"]})).ravel()
    array([2, 1, 0])
    >>> lookup.inverse_transform([[2], [0]]).ravel()
    array(['cat', '[UNK]'], dtype=object)
    >>> one_hot = StringLookupTransformer(output_mode="one_hot", engine="arrow")
    >>> one_hot.fit_transform(X[:2])
    array([[0, 0, 1],
           [0, 1, 0]])
    >>> one_hot.get_feature_names_out()
    array(['pet_[UNK]', 'pet_dog', 'pet_cat'], dtype=object)
    """

    def __init__(
        self,
        *,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token="[UNK]",
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        pad_to_max_tokens=False,
        sparse=False,
        encoding="utf-8",
        handle_missing="oov",
        shared_vocabulary=False,
        dtype=None,
        engine="keras",
        min_frequency=None,
    ):
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.vocabulary = vocabulary
        self.idf_weights = idf_weights
        self.invert = invert
        self.output_mode = output_mode
        self.pad_to_max_tokens = pad_to_max_tokens
        self.sparse = sparse
        self.encoding = encoding
        self.handle_missing = handle_missing
        self.shared_vocabulary = shared_vocabulary
        self.dtype = dtype
        self.engine = engine
        self.min_frequency = min_frequency

    # Fitting -----------------------------------------------------------------

    def fit(self, X, y=None):
        """Learn the vocabulary of each column, or take the given one.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Text, numbers (looked up by their ``str()`` text) or bytes.
        y : None
            Ignored.

        Returns
        -------
        self : StringLookupTransformer
            The fitted transformer.
        """
        if _is_dask(X):
            from skstringlookup._dask import fit_dask

            return fit_dask(self, X)

        config = resolve_config(self)
        self._forget_fit()
        try:
            self._fit(X, config)
        except BaseException:
            # validate_data may have set the input attributes already.
            for name in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(name, None)
            raise
        return self

    def _fit(self, X, config):
        columns, names = self._read_text(X, config, reset=True)
        self._check_missing(columns, names, config)

        if self.vocabulary is not None:
            n_blocks = 1 if config.shared_vocabulary else len(columns)
            vocabularies, weights = resolve_given(
                self.vocabulary, self.idf_weights, config, n_blocks, names
            )
            self._set_fitted(vocabularies, weights, config)
        else:
            self._fit_counts(self._count_blocks(columns, config), names, config)

    def partial_fit(self, X, y=None):
        """Add the term counts of a chunk of rows, and update the vocabulary.

        After any split of the data into chunks, the vocabularies, tf-idf
        weights and outputs equal those of one ``fit`` on all the rows. The
        counts needed to go on are kept in the private ``_term_counts``
        (one entry per vocabulary: terms, their cell and document counts, and
        the numbers of rows and non-missing cells); ``fit`` keeps none and
        starts over, as does ``partial_fit`` after ``fit``.

        A chunk after which some vocabulary has no term to learn yet raises
        the ``ValueError`` that ``fit`` on the rows so far raises, but its
        counts are kept: catch the error and go on with the next chunk. A Dask
        DataFrame chunk is counted partition by partition, as ``fit`` counts
        it.

        Parameters
        ----------
        X : array-like, DataFrame or Dask DataFrame of shape \
                (n_samples, n_features)
            A chunk of rows, with the same columns every time.
        y : None
            Ignored.

        Returns
        -------
        self : StringLookupTransformer
            The fitted transformer.
        """
        config = resolve_config(self)
        if self.vocabulary is not None:
            msg = (
                "partial_fit learns a vocabulary, so vocabulary must be None. Got "
                "a vocabulary instead; call fit to use it."
            )
            raise ValueError(msg)

        previous = self.__dict__.get("_term_counts")
        if previous is None:
            self._forget_fit()
        if _is_dask(X):
            from skstringlookup._dask import count_dask

            counts, names = count_dask(self, X, config, reset=previous is None)
        else:
            columns, names, kinds = self._read_text(
                X, config, reset=previous is None, min_rows=1, with_kinds=True
            )
            self._check_missing(columns, names, config)
            self._check_kinds(kinds, names, previous is None)
            counts = self._count_blocks(columns, config)

        if previous is not None:
            if len(previous) != len(counts):
                msg = (
                    f"shared_vocabulary must stay {not config.shared_vocabulary} "
                    "between partial_fit calls, since the counts so far were kept "
                    f"that way. Got shared_vocabulary={config.shared_vocabulary} "
                    "instead; call fit to start over."
                )
                raise ValueError(msg)
            counts = [old.merge(new) for old, new in zip(previous, counts, strict=True)]
        # Keep the counts even if no term is frequent enough yet: later chunks
        # may change that.
        self._term_counts = counts
        try:
            self._fit_counts(counts, names, config)
        except ValueError as exc:
            msg = (
                f"{exc} The counts of this chunk are kept: partial_fit the next "
                "chunk to go on."
            )
            raise ValueError(msg) from None
        return self

    def _check_kinds(self, kinds, names, first):
        """Refuse a chunk whose cells differ in kind from the earlier chunks'."""
        previous = None if first else self.__dict__.get("_column_kinds")
        if previous is None:
            self._column_kinds = kinds
            return
        merged = []
        for j, (old, new) in enumerate(zip(previous, kinds, strict=True)):
            if old is not None and new is not None and old != new:
                msg = (
                    f"{column_label(names, j)} held {old} cells in earlier chunks "
                    f"and holds {new} cells in this one; numbers are looked up by "
                    "their str() text, so one fit on all rows would read them "
                    "differently. Give every chunk the same dtype, for example "
                    "with read_csv(..., dtype=str)."
                )
                raise ValueError(msg)
            merged.append(old if old is not None else new)
        self._column_kinds = merged

    def _forget_fit(self):
        with _CREATE_LOCK:
            _RUNTIMES.pop(self, None)
        for name in ("_term_counts", "_column_kinds", "vocabularies_", "idf_weights_"):
            self.__dict__.pop(name, None)

    def _count_blocks(self, columns, config):
        """Term counts of each vocabulary block."""
        n_rows = len(columns[0])
        if config.shared_vocabulary:
            return [count_terms(columns, n_rows)]
        return [count_terms([values], n_rows) for values in columns]

    def _fit_counts(self, counts, names, config):
        """Set the fitted attributes from the term counts of each block."""
        vocabularies, weights = [], []
        for b, block_counts in enumerate(counts):
            terms, positions = rank_terms(block_counts, config)
            if not terms:
                where = "X" if config.shared_vocabulary else column_label(names, b)
                msg = (
                    f"{where} has no term to learn: its {block_counts.n_cells} "
                    "non-missing cells hold only special tokens or terms below "
                    "min_frequency. Drop the column, lower min_frequency, or "
                    "pass a vocabulary."
                )
                raise ValueError(msg)
            vocabularies.append(terms)
            if config.output_mode == "tf_idf":
                k = config.num_oov_indices
                weights.append(idf_weights(block_counts, positions, k))
        self._set_fitted(vocabularies, weights, config)

    def _set_fitted(self, vocabularies, weights, config):
        with _CREATE_LOCK:
            _RUNTIMES.pop(self, None)
        self.vocabularies_ = [_Terms(terms) for terms in vocabularies]
        if config.output_mode == "tf_idf":
            self.idf_weights_ = weights
        else:
            self.__dict__.pop("idf_weights_", None)

    # Transforming ------------------------------------------------------------

    def transform(self, X):
        """Look the terms up, or with ``invert=True`` the indices.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Terms, or integer indices when ``invert=True``.

        Returns
        -------
        X_out : ndarray or scipy.sparse CSR matrix
            ``int`` mode: one index per cell, shape (n_samples, n_features).
            Other modes: the encoded blocks of the columns side by side.
            ``invert=True``: one term per cell, as ``str``.
        """
        small = self._transform_small(X)
        if small is not None:
            return small

        check_is_fitted(self)
        config = self._fitted_config()
        if _is_dask(X):
            from sklearn.utils._set_output import _get_output_config

            from skstringlookup._dask import transform_dask

            if _get_output_config("transform", self)["dense"] != "default":
                # scikit-learn would compute the lazy result into one pandas
                # or polars frame, with a new index.
                msg = (
                    "set_output must be 'default' to transform Dask input, which "
                    "gives a lazy Dask result. Got set_output(transform="
                    f"{_get_output_config('transform', self)['dense']!r}) instead; "
                    "call set_output(transform='default')."
                )
                raise ValueError(msg)
            return transform_dask(self, X)
        if config.invert:
            return self._indices_to_terms(X, config, "transform")
        return self._terms_to_output(X, config)

    def inverse_transform(self, X):
        """Map ``int`` mode indices back to terms.

        OOV indices, and indices outside the vocabulary, become ``oov_token``;
        the mask index becomes ``mask_token``. With ``invert=True`` this maps
        terms to indices instead.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        X_original : ndarray
        """
        check_is_fitted(self)
        config = self._fitted_config()
        if config.output_mode != "int":
            msg = (
                "inverse_transform needs output_mode='int'. Got output_mode="
                f"{config.output_mode!r} instead."
            )
            raise ValueError(msg)
        if config.invert:
            return self._terms_to_output(X, config)
        return self._indices_to_terms(X, config, "inverse_transform")

    def _read_text(self, X, config, *, reset, min_rows=None, with_kinds=False):
        if min_rows is None:
            min_rows = 1 if reset else 0
        columns, names, X_checked = split_frame(
            X, type(self).__name__, min_rows=min_rows
        )
        validate_data(self, X=X_checked, reset=reset, skip_check_array=True)
        text = read_text_columns(columns, names, config.encoding)
        if with_kinds:
            return text, names, [column_kind(col) for col in columns]
        return text, names

    def _check_missing(self, columns, names, config):
        if config.handle_missing != "error":
            return
        for j, values in enumerate(columns):
            if values.null_count:
                msg = (
                    f"{column_label(names, j)} has {values.null_count} missing "
                    "cells (None, NaN or pd.NA) and handle_missing='error'. Fill "
                    "them, or set handle_missing to 'oov' or 'mask'."
                )
                raise ValueError(msg)

    def _terms_to_output(self, X, config):
        columns, names = self._read_text(X, config, reset=False)
        self._check_missing(columns, names, config)
        lookups = self._lookups(config)

        # Each column's indices go straight to their place in one array, so
        # that the int output is never copied.
        indices = np.empty((len(columns[0]), len(columns)), dtype=np.int64)
        for j, values in enumerate(columns):
            lookup = lookups[0 if config.shared_vocabulary else j]
            label = column_label(names, j)
            self._lookup_column(lookup, values, label, config, out=indices[:, j])

        if config.invert:
            return indices
        return self._encode_indices(indices, config)

    def _encode_indices(self, indices, config):
        """The output for int-layout `indices` of shape (n_samples, n_features)."""
        if config.shared_vocabulary or config.output_mode == "int":
            blocks = [indices]
        else:
            blocks = [indices[:, j : j + 1] for j in range(indices.shape[1])]
        depths = [config.depth(len(v)) for v in self.vocabularies_]
        return encode(blocks, depths, config, self.__dict__.get("idf_weights_"))

    def _transform_small(self, X):
        """``transform`` of a few rows of text with the Arrow engine, fast.

        Returns None whenever the input needs more than a dict lookup per
        cell (numbers, bytes, feature-name problems, errors to report), so
        that the general path handles it, with its checks and messages.
        """
        if self.engine != "arrow" or "vocabularies_" not in self.__dict__:
            return None

        names = self.__dict__.get("feature_names_in_")
        if isinstance(X, np.ndarray):
            if X.ndim != 2 or X.dtype.kind not in "OU" or names is not None:
                return None
            if X.shape[1] != self.n_features_in_:
                return None
        elif is_pandas_frame(X):
            if names is None or X.shape[1] != len(names):
                return None
            if X.columns.tolist() != self._runtime_state().names_for(names):
                return None
        else:
            return None
        if not 0 < X.shape[0] <= SMALL_BATCH:
            return None

        config = self._fitted_config()
        if config.invert or config.handle_missing == "error":
            return None
        rows = (X if isinstance(X, np.ndarray) else X.to_numpy(dtype=object)).tolist()
        lookups = self._lookups(config)

        indices = []
        for j, cells in enumerate(zip(*rows, strict=True)):
            cells = [_plain_text(cell) for cell in cells]
            if _NOT_TEXT in cells:
                return None
            lookup = lookups[0 if config.shared_vocabulary else j]
            column = lookup.lookup_cells(cells)
            if (column == UNSEEN).any():
                return None
            label = column_label(names, j)
            indices.append(self._fill_missing(column, label, config))

        return self._encode_indices(np.stack(indices, axis=1), config)

    def _lookup_column(self, lookup, values, label, config, out=None):
        """Int-layout indices of one column, looked up `CHUNK_ROWS` at a time.

        Written into `out` when given. The errors count the whole column.
        """
        if out is None and len(values) <= CHUNK_ROWS:
            indices = lookup.lookup(values)
        else:
            indices = np.empty(len(values), dtype=np.int64) if out is None else out
            for start in range(0, len(values), CHUNK_ROWS):
                chunk = values.slice(start, CHUNK_ROWS)
                indices[start : start + len(chunk)] = lookup.lookup(chunk)

        # Missing and unseen cells are the only negative indices: one pass
        # tells whether there is anything to fix.
        if indices.min(initial=0) >= 0:
            return indices
        unseen = indices == UNSEEN
        if unseen.any():
            import pyarrow as pa
            import pyarrow.compute as pc

            examples = pc.unique(values.filter(pa.array(unseen))).to_pylist()
            msg = (
                f"{label} has {int(unseen.sum())} cells whose terms are not in "
                f"the vocabulary, such as {examples[:5]}, and num_oov_indices=0 "
                "leaves no index for them. Set num_oov_indices >= 1, or refit on "
                "data that holds these terms."
            )
            raise ValueError(msg)

        return self._fill_missing(indices, label, config)

    def _fill_missing(self, indices, label, config):
        missing = indices == MISSING
        if missing.any():
            if config.handle_missing == "mask":
                indices[missing] = 0
            elif config.num_oov_indices == 0:
                msg = (
                    f"{label} has {int(missing.sum())} missing cells, and with "
                    "num_oov_indices=0 there is no OOV index to send them to. Set "
                    "handle_missing='mask' (with a mask_token), or "
                    "num_oov_indices >= 1."
                )
                raise ValueError(msg)
            else:
                indices[missing] = config.oov_start
        return indices

    def _indices_to_terms(self, X, config, what):
        columns, names, X_checked = split_frame(X, type(self).__name__, min_rows=0)
        if names is not None or what == "transform":
            validate_data(self, X=X_checked, reset=False, skip_check_array=True)
        elif len(columns) != self.n_features_in_:
            # Indices usually come from transform, which returns an array:
            # only their number is checked, without the feature-name warning.
            msg = (
                f"X has {len(columns)} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
            raise ValueError(msg)
        if names is None:
            names = self.__dict__.get("feature_names_in_")
        indices = read_index_columns(columns, names, what)
        layouts = self._layouts(config)

        out = np.empty((len(indices[0]), len(indices)), dtype=object)
        for j, idx in enumerate(indices):
            layout = layouts[0 if config.shared_vocabulary else j]
            inside = (idx >= 0) & (idx < len(layout))
            column = np.full(len(idx), config.oov_token, dtype=object)
            column[inside] = layout[idx[inside]]
            out[:, j] = column
        return out

    # Feature names -------------------------------------------------------------

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns.

        ``int`` mode (and ``invert=True``) keeps the input names. The other
        modes name each column ``<input>_<token>``: the OOV slot is named by
        ``oov_token`` (``<oov_token>_<i>`` when there are several), padding
        columns ``[PAD]_<position>``. A shared vocabulary in a mode that
        encodes whole rows names its columns by the token alone.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input names; by default ``feature_names_in_``, or ``x0``, ``x1``...

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        config = self._fitted_config()
        input_features = _check_feature_names_in(self, input_features)
        if config.output_mode == "int":
            return np.asarray(input_features, dtype=object)

        tokens = [self._block_tokens(b, config) for b in range(len(self.vocabularies_))]
        if config.shared_vocabulary and config.output_mode != "one_hot":
            return np.asarray(tokens[0], dtype=object)
        names = []
        for j, column in enumerate(input_features):
            block = tokens[0 if config.shared_vocabulary else j]
            names.extend(f"{column}_{token}" for token in block)
        return np.asarray(names, dtype=object)

    def _block_tokens(self, b, config):
        terms = self.vocabularies_[b]
        k = config.num_oov_indices
        oov = (
            [config.oov_token]
            if k == 1
            else [f"{config.oov_token}_{i}" for i in range(k)]
        )
        padding = [
            f"[PAD]_{i}" for i in range(k + len(terms), config.depth(len(terms)))
        ]

        # A learned term may be spelled like a generated name; the generated
        # name then gets underscores appended until it is unique.
        taken = set(terms)
        generated = []
        for name in oov + padding:
            while name in taken:
                name += "_"
            taken.add(name)
            generated.append(name)
        return generated[:k] + list(terms) + generated[k:]

    # Cached runtime state --------------------------------------------------------

    def _runtime_state(self):
        runtime = _RUNTIMES.get(self)
        if runtime is None:
            with _CREATE_LOCK:
                runtime = _RUNTIMES.setdefault(self, _Runtime())
        return runtime

    def _vocabulary_key(self):
        vocabularies = self.vocabularies_
        weights = getattr(self, "idf_weights_", None)
        return (
            id(vocabularies),
            tuple((id(v), len(v), getattr(v, "edits", None)) for v in vocabularies),
            id(weights),
            getattr(self, "n_features_in_", None),
        )

    def _fitted_config(self):
        """The parameters, checked against the fitted state; cached."""
        runtime = self._runtime_state()
        key = tuple(_key_part(getattr(self, name)) for name in _PARAM_NAMES)
        key += self._vocabulary_key()
        if runtime.config_key == key:
            return runtime.config

        config = resolve_config(self)
        self._check_fitted_state(config)
        if not all(isinstance(terms, _Terms) for terms in self.vocabularies_):
            # Lists assigned by hand are taken over, so that later in-place
            # edits are noticed too.
            self.vocabularies_ = [_Terms(terms) for terms in self.vocabularies_]
            key = key[: len(_PARAM_NAMES)] + self._vocabulary_key()
        with runtime.lock:
            runtime.config, runtime.config_key = config, key
        return config

    def _check_fitted_state(self, config):
        vocabularies = self.vocabularies_
        n_blocks = 1 if config.shared_vocabulary else self.n_features_in_
        advice = "Refit the transformer, or restore the fitted attributes."
        if not isinstance(vocabularies, list) or len(vocabularies) != n_blocks:
            msg = (
                f"vocabularies_ must be a list of {n_blocks} term lists for these "
                f"parameters (shared_vocabulary={config.shared_vocabulary}). {advice}"
            )
            raise ValueError(msg)
        for b, terms in enumerate(vocabularies):
            if not isinstance(terms, list) or not all(
                isinstance(t, str) for t in terms
            ):
                msg = f"vocabularies_[{b}] must be a list of str. {advice}"
                raise ValueError(msg)
            try:
                check_vocabulary(terms, config, f"vocabularies_[{b}]")
            except ValueError as exc:
                msg = f"{exc} {advice}"
                raise ValueError(msg) from None

        if config.output_mode != "tf_idf":
            return
        weights = getattr(self, "idf_weights_", None)
        for b, w in enumerate(weights or []):
            if not np.all(np.isfinite(np.asarray(w, dtype=np.float64))):
                msg = f"idf_weights_[{b}] must hold finite numbers. {advice}"
                raise ValueError(msg)
        if weights is None:
            msg = (
                "output_mode='tf_idf' needs idf_weights_, which this transformer "
                f"was not fitted with. {advice}"
            )
            raise ValueError(msg)
        for b, terms in enumerate(vocabularies):
            expected = config.num_oov_indices + len(terms)
            if len(weights) != n_blocks or len(weights[b]) != expected:
                msg = (
                    f"idf_weights_[{b}] must hold {expected} weights "
                    f"({config.num_oov_indices} OOV + {len(terms)} terms). {advice}"
                )
                raise ValueError(msg)

    def _lookups(self, config):
        """One lookup engine per vocabulary block, built once."""
        key = (
            config.engine,
            config.mask_token,
            config.oov_token,
            config.num_oov_indices,
        ) + self._vocabulary_key()
        runtime = self._runtime_state()
        lookups = runtime.lookups.get(key)
        if lookups is None:
            with runtime.lock:
                lookups = runtime.lookups.get(key)
                if lookups is None:
                    engine = _ENGINES[config.engine]
                    lookups = [engine(terms, config) for terms in self.vocabularies_]
                    runtime.lookups = {key: lookups}
        return lookups

    def _layouts(self, config):
        """Index -> term arrays of every block, in the int layout."""
        key = (config.mask_token, config.oov_token, config.num_oov_indices)
        key += self._vocabulary_key()
        runtime = self._runtime_state()
        layouts = runtime.layouts.get(key)
        if layouts is None:
            special = [config.oov_token] * config.num_oov_indices
            if config.mask_token is not None:
                special = [config.mask_token] + special
            layouts = [
                np.array(special + terms, dtype=object) for terms in self.vocabularies_
            ]
            with runtime.lock:
                runtime.layouts = {key: layouts}
        return layouts

    # Interoperability ------------------------------------------------------------

    def to_keras_layer(self, column=None, *, saveable=True):
        """A Keras ``StringLookup`` layer giving the same output as ``transform``.

        The layer comes from ``tf.keras.layers``: Keras 3, or Keras 2 when
        ``TF_USE_LEGACY_KERAS=1``. A model holding it can be saved as
        ``.keras`` and reloaded with the same lookups.

        Parameters
        ----------
        column : str or int, default=None
            The column whose vocabulary the layer holds, by name or position.
            May be omitted with one column or a shared vocabulary.
        saveable : bool, default=True
            Refuse, with a ``ValueError`` naming the term, a vocabulary that
            a ``.keras`` file cannot hold: terms ending in a NUL character.
            False gives a layer that is exact in memory only.

        Returns
        -------
        layer : keras.layers.StringLookup
        """
        from skstringlookup._keras_io import to_keras_layer

        return to_keras_layer(self, column, saveable=saveable)

    @classmethod
    def from_keras_layer(cls, layer, **params):
        """A fitted transformer from an adapted or configured Keras layer.

        Parameters
        ----------
        layer : keras.layers.StringLookup
            From Keras 2 or 3; tf-idf weights are taken too.
        **params
            Further parameters of the transformer, such as ``engine``.

        Returns
        -------
        transformer : StringLookupTransformer
            Fitted for one column.
        """
        from skstringlookup._keras_io import from_keras_layer

        return from_keras_layer(cls, layer, **params)

    def save_vocabulary(self, path, column=None):
        """Write a vocabulary in Keras' one-term-per-line file format.

        Parameters
        ----------
        path : str or path-like
        column : str or int, default=None
            As in :meth:`to_keras_layer`.
        """
        from skstringlookup._vocabulary_file import save_vocabulary

        save_vocabulary(self, path, column)

    def oov_report(self, X, *, top=10):
        """Out-of-vocabulary and missing cells of `X`, per column.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
        top : int, default=10
            How many of the most frequent unseen terms to list.

        Returns
        -------
        report : pandas.DataFrame
            One row per column.
        """
        from skstringlookup._report import oov_report

        return oov_report(self, X, top=top)

    # scikit-learn protocol -------------------------------------------------------

    def __sklearn_is_fitted__(self):
        return "vocabularies_" in self.__dict__

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = []
        return tags

    def __getstate__(self):
        # A copy: scikit-learn hands back the live __dict__ for other packages.
        state = dict(super().__getstate__())
        if "_term_counts" in state:
            state["_term_counts"] = [c.to_dict() for c in state["_term_counts"]]
        if isinstance(state.get("vocabularies_"), list):
            state["vocabularies_"] = [list(v) for v in state["vocabularies_"]]
        state[_STATE_KEY] = STATE_VERSION
        return state

    def __setstate__(self, state):
        version = state.pop(_STATE_KEY, STATE_VERSION)
        if isinstance(version, int) and version < 1:
            msg = (
                f"This StringLookupTransformer carries the unknown state format "
                f"{version!r}; formats start at 1. The pickle was altered or "
                "written by something else; refit the transformer."
            )
            raise ValueError(msg)
        if not isinstance(version, int) or version > STATE_VERSION:
            msg = (
                f"This StringLookupTransformer was saved in state format {version!r}"
                f", newer than the format {STATE_VERSION} this version of "
                "skstringlookup reads. Upgrade skstringlookup to load it."
            )
            raise ValueError(msg)
        if "_term_counts" in state:
            state["_term_counts"] = [
                TermCounts.from_dict(c) for c in state["_term_counts"]
            ]
        vocabularies = state.get("vocabularies_")
        if isinstance(vocabularies, list) and all(
            isinstance(v, list) for v in vocabularies
        ):
            state["vocabularies_"] = [_Terms(v) for v in vocabularies]
        super().__setstate__(state)


_PARAM_NAMES = tuple(StringLookupTransformer._get_param_names())
