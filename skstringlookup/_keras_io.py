"""Export to, and import from, the Keras ``StringLookup`` layer.

TensorFlow is imported only inside the functions, so importing this module
costs nothing. The layer class is ``tf.keras.layers.StringLookup``: Keras 3,
or Keras 2 (tf_keras) when ``TF_USE_LEGACY_KERAS=1``.
"""

import numpy as np

from skstringlookup._params import resolve_config
from skstringlookup._select import select_block
from skstringlookup._vocabulary import check_vocabulary

__all__ = ["from_keras_layer", "to_keras_layer"]

# Settings that from_keras_layer copies from the layer; `params` may repeat
# them only with the layer's value.
_LAYER_SETTINGS = (
    "output_mode",
    "invert",
    "mask_token",
    "oov_token",
    "num_oov_indices",
    "max_tokens",
    "pad_to_max_tokens",
    "sparse",
)
# Parameters that would contradict the fitted state taken from the layer.
_FITTED_FROM_LAYER = ("vocabulary", "idf_weights")


def _keras():
    import tensorflow as tf

    return tf, tf.keras


def _is_keras2(keras):
    return keras.layers.StringLookup.__module__.startswith("tf_keras")


def _check_saveable(terms, label):
    """Refuse the terms that a ``.keras`` file cannot hold."""
    for position, term in enumerate(terms):
        if term.endswith("\x00"):
            msg = (
                "Terms of a saveable Keras layer must not end with a NUL "
                f"character. Got {term!r} at position {position} of {label} "
                "instead: Keras rebuilds a saved "
                "vocabulary through a NumPy str array, which drops trailing "
                "NULs, so the reloaded model would look this term up as "
                f"{term.rstrip(chr(0))!r}. Rename the term, or pass "
                "saveable=False for a layer used in memory only."
            )
            raise ValueError(msg)


def to_keras_layer(est, column=None, *, saveable=True):
    """A Keras ``StringLookup`` layer giving the output of `est` for a column.

    Parameters
    ----------
    est : StringLookupTransformer
        A fitted transformer.
    column : str or int, default=None
        The column whose vocabulary the layer holds, by name or position. May
        be omitted when `est` has one column or a shared vocabulary.
    saveable : bool, default=True
        Refuse vocabularies that a model saved as ``.keras`` could not
        reload identically, with a ``ValueError`` naming the term. The only
        such terms are those ending in a NUL character (``"\\x00"``). With
        False the layer is exact in memory whatever the terms.

    Returns
    -------
    layer : tf.keras.layers.StringLookup
        Configured with the vocabulary, the tf-idf weights (OOV weights
        included) and every setting of `est`: ``output_mode``, ``invert``,
        ``mask_token``, ``oov_token``, ``num_oov_indices``, ``max_tokens``,
        ``pad_to_max_tokens`` and ``sparse``.

    Raises
    ------
    ValueError
        If `column` is needed and missing or unknown; with `saveable`, if a
        term ends in NUL; under Keras 3, for ``output_mode="tf_idf"`` with
        ``sparse=True``, which that layer cannot compute.

    Notes
    -----
    For the column ``X[:, [j]]`` (shape ``(n_samples, 1)``) the layer gives
    ``transform(X)[:, [j]]`` in ``int`` mode, and the column's block of
    ``transform(X)`` in the other modes. With a shared vocabulary the layer
    applied to all columns gives ``transform(X)``; in ``one_hot`` mode
    Keras 3 gives shape ``(n_samples, n_columns, depth)``, to reshape, while
    Keras 2 takes one column at a time. The values are equal; the dtypes are
    Keras' own: Keras 2 returns float32 where Keras 3 returns int64.

    The layer takes strings only. To feed cells that ``transform`` sees as
    missing, use ``handle_missing="mask"`` and replace them with the
    ``mask_token``; with ``handle_missing="oov"`` and one OOV index any string
    outside the vocabulary gives the same index.

    The vocabulary is passed to the layer's constructor, so a ``.keras`` file
    stores it in the model's JSON config rather than in Keras' line-based
    ``vocabulary.txt`` asset: terms holding line breaks (``"\\n"``,
    ``"\\r"``, ``"\\u2028"``, ``"\\x85"`` ...), the empty string and any
    Unicode survive a save and reload. Trailing NULs do not (see
    `saveable`). Under Keras 2 the vocabulary is given as a list, because
    Keras 2 cannot save a layer whose vocabulary is a NumPy array; so with
    ``saveable=False`` and a NUL-ending term the Keras 2 layer is exact in
    memory but cannot be saved as ``.keras``.

    The layer's ``encoding`` is always ``"utf-8"``: its table holds the UTF-8
    bytes of the terms, whatever ``est.encoding`` (the codec of ``bytes``
    cells) is.
    """
    config, block, label = select_block(est, column, "to_keras_layer")
    terms = est.vocabularies_[block]
    if saveable:
        _check_saveable(terms, label)

    _, keras = _keras()
    keras2 = _is_keras2(keras)
    if config.output_mode == "tf_idf" and config.sparse and not keras2:
        msg = (
            "sparse must be False to export a tf_idf transformer to Keras 3, "
            "whose StringLookup fails on every call with sparse tf-idf output "
            "(it multiplies a SparseTensor by the dense weights). Got "
            "sparse=True instead; export a copy with sparse=False, or use "
            "Keras 2 (TF_USE_LEGACY_KERAS=1)."
        )
        raise ValueError(msg)
    needs_array = any(term.endswith("\x00") for term in terms)
    idf_weights = None
    if config.output_mode == "tf_idf":
        # With the exact special prefix Keras keeps the given OOV weights
        # instead of averaging the term weights.
        terms = [config.oov_token] * config.num_oov_indices + list(terms)
        idf_weights = np.asarray(est.idf_weights_[block], dtype=np.float32)
    if keras2 and not needs_array:
        vocabulary = list(terms)
    else:
        # An object array keeps trailing NULs, which a list loses: Keras turns
        # lists into NumPy str arrays.
        vocabulary = np.array(terms, dtype=object)

    return keras.layers.StringLookup(
        max_tokens=config.max_tokens,
        num_oov_indices=config.num_oov_indices,
        mask_token=config.mask_token,
        oov_token=config.oov_token,
        vocabulary=vocabulary,
        idf_weights=idf_weights,
        invert=config.invert,
        output_mode=config.output_mode,
        pad_to_max_tokens=config.pad_to_max_tokens,
        sparse=config.sparse,
        encoding="utf-8",
    )


def _check_layer(tf, layer):
    vocabulary_dtype = getattr(layer, "vocabulary_dtype", None)
    is_lookup = hasattr(layer, "lookup_table") and vocabulary_dtype is not None
    if not is_lookup or tf.as_dtype(vocabulary_dtype) != tf.string:
        msg = (
            "layer must be a Keras StringLookup layer (Keras 2 or 3). Got "
            f"{type(layer).__module__}.{type(layer).__name__} instead."
        )
        raise TypeError(msg)

    salt = getattr(layer, "salt", None)
    if salt is not None and layer.num_oov_indices > 1:
        msg = (
            "layer must hash OOV terms with FarmHash (salt=None) to be "
            f"reproduced. Got salt={salt!r} instead; rebuild the layer without "
            "a salt."
        )
        raise ValueError(msg)


def _layer_terms(layer, token_start):
    """The terms of the layer's table, in index order, trailing NULs kept."""
    name = layer.name
    if int(layer.lookup_table.size().numpy()) == 0:
        msg = (
            f"layer {name!r} must be adapted or given a vocabulary. Got a layer "
            "with an empty lookup table instead."
        )
        raise ValueError(msg)

    keys, values = layer.lookup_table.export()
    keys, values = keys.numpy(), values.numpy()
    raw, indices = (values, keys) if layer.invert else (keys, values)
    order = np.argsort(indices, kind="stable")
    raw, indices = raw[order], indices[order]

    expected = np.arange(token_start, token_start + len(indices))
    if not np.array_equal(indices, expected):
        msg = (
            f"layer {name!r} must map its terms to consecutive indices from "
            f"{token_start}. Got indices {indices[:10].tolist()}... instead."
        )
        raise ValueError(msg)

    terms = []
    for position, term in enumerate(raw):
        try:
            terms.append(bytes(term).decode("utf-8"))
        except UnicodeDecodeError:
            msg = (
                f"Terms of layer {name!r} must be valid UTF-8. Got {bytes(term)!r} "
                f"at position {position} instead; the transformer holds terms "
                "as str."
            )
            raise ValueError(msg) from None
    return terms


def _settings(layer, params):
    """The transformer parameters: the layer's settings, then `params`."""
    max_tokens = layer.max_tokens
    if max_tokens is not None and float(max_tokens).is_integer():
        max_tokens = int(max_tokens)
    settings = {
        "output_mode": layer.output_mode,
        "invert": bool(layer.invert),
        "mask_token": layer.mask_token,
        "oov_token": layer.oov_token,
        "num_oov_indices": int(layer.num_oov_indices),
        "max_tokens": max_tokens,
        "pad_to_max_tokens": bool(layer.pad_to_max_tokens),
        "sparse": bool(layer.sparse),
        "encoding": getattr(layer, "encoding", "utf-8"),
    }

    for name in _FITTED_FROM_LAYER:
        if params.get(name) is not None:
            msg = (
                f"{name} must be None: from_keras_layer takes the vocabulary and "
                f"weights from the layer. Got {name}={params[name]!r} instead; "
                "call set_params on the returned transformer to change it."
            )
            raise ValueError(msg)
    for name in _LAYER_SETTINGS:
        if name not in params or params[name] == settings[name]:
            continue
        if name == "oov_token" and not settings["invert"]:
            # The OOV token takes no part in the layer's lookups.
            continue
        msg = (
            f"{name} must match the layer's setting ({settings[name]!r}), since "
            f"the fitted state comes from the layer. Got {params[name]!r} "
            "instead; leave it out of the parameters."
        )
        raise ValueError(msg)

    if settings["oov_token"] is None:
        # Keras allows no OOV token when invert=False; the transformer needs
        # one for inverse_transform.
        del settings["oov_token"]
    settings.update(params)
    return settings


def from_keras_layer(cls, layer, **params):
    """A fitted one-column transformer holding the state of a Keras layer.

    Parameters
    ----------
    cls : type
        ``StringLookupTransformer`` or a subclass.
    layer : tf.keras.layers.StringLookup
        An adapted layer, or one given a vocabulary (list, array, tensor or
        file), from Keras 2 or 3.
    **params
        Further parameters of the transformer, such as ``engine`` or
        ``handle_missing``. The layer's own settings (``output_mode``,
        ``invert``, ``mask_token``, ``oov_token``, ``num_oov_indices``,
        ``max_tokens``, ``pad_to_max_tokens``, ``sparse``) are copied and may
        only be repeated with the same value, except ``oov_token`` when the
        layer has ``invert=False`` (the token takes no part in its lookups:
        pass one when the layer has none, or when its OOV token is one of
        its terms).

    Returns
    -------
    transformer : StringLookupTransformer
        Fitted for one column: ``vocabularies_`` holds the layer's terms,
        ``idf_weights_`` (tf_idf) its weights, OOV weights first, and
        ``n_features_in_`` is 1. ``vocabulary`` stays None.

    Raises
    ------
    TypeError
        If `layer` is not a ``StringLookup`` layer.
    ValueError
        If the layer has no vocabulary, uses a ``salt`` with several OOV
        indices, holds terms that are not UTF-8, or its settings are refused
        by the transformer (for example ``mask_token == oov_token``).

    Notes
    -----
    The terms are read from the layer's lookup table (``lookup_table.export``)
    rather than from ``get_vocabulary()``, which drops trailing NUL
    characters; so ``"ab\\x00"`` stays distinct from ``"ab"``.

    The transformer has no ``feature_names_in_``: it takes any one column,
    and transforming a DataFrame gives scikit-learn's warning about feature
    names. Set ``feature_names_in_`` to a one-element object array to name
    the column.

    As ``vocabulary`` stays None, refitting the transformer (or a clone)
    learns a new vocabulary from data. To keep the layer's one, call
    ``set_params(vocabulary=transformer.vocabularies_[0])`` (and
    ``idf_weights=transformer.idf_weights_[0]`` with tf_idf, where the
    weights then count as given with their OOV prefix only if the vocabulary
    has one, so pass ``[oov_token] * num_oov_indices + terms``).
    """
    tf, _ = _keras()
    _check_layer(tf, layer)
    settings = _settings(layer, params)
    est = cls(**settings)
    config = resolve_config(est)

    # Keras gives the mask a slot in int mode only.
    terms = _layer_terms(layer, config.reserved)
    label = f"the vocabulary of layer {layer.name!r}"
    check_vocabulary(terms, config, label)

    est.vocabularies_ = [terms]
    if config.output_mode == "tf_idf":
        weights = np.asarray(layer.idf_weights_const.numpy(), dtype=np.float32)
        est.idf_weights_ = [weights[: config.num_oov_indices + len(terms)].copy()]
    est.n_features_in_ = 1
    return est
