"""An skl2onnx converter for ``StringLookupTransformer`` (int and one_hot).

Each column goes through an ``ai.onnx.ml.LabelEncoder`` (terms to indices,
unseen strings to the OOV index); ``one_hot`` then compares the index with
every output position (``Equal``) and casts the result. skl2onnx is imported
only by :func:`register_onnx_converter`.
"""

import numpy as np

__all__ = ["ONNX_ALIAS", "register_onnx_converter"]

#: The name under which skl2onnx knows the transformer.
ONNX_ALIAS = "SkstringlookupStringLookupTransformer"
#: The converter option naming the string that stands for a missing cell.
MISSING_OPTION = "missing_value"
DEFAULT_MISSING_VALUE = ""

_MODES = ("int", "one_hot")


def _check_convertible(est):
    """The checked configuration of `est`, refusing what ONNX cannot do."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    # The parameters, checked against the fitted state, as transform does.
    config = est._fitted_config()
    if config.output_mode not in _MODES:
        msg = (
            f"output_mode must be one of {_MODES} to convert to ONNX. Got "
            f"{config.output_mode!r} instead."
        )
        raise ValueError(msg)
    if config.invert:
        msg = (
            "invert must be False to convert to ONNX: the converter maps terms "
            "to indices. Got invert=True instead."
        )
        raise ValueError(msg)
    if config.num_oov_indices != 1:
        msg = (
            "num_oov_indices must be 1 to convert to ONNX: several OOV indices "
            "need FarmHash, which ONNX lacks, and with none, transform raises on "
            "unseen terms, which an ONNX graph cannot do. Got num_oov_indices="
            f"{config.num_oov_indices} instead."
        )
        raise ValueError(msg)
    return config


def _output_tensor_type(config):
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int32TensorType,
        Int64TensorType,
    )

    types = {
        np.dtype(np.int64): Int64TensorType,
        np.dtype(np.int32): Int32TensorType,
        np.dtype(np.float32): FloatTensorType,
        np.dtype(np.float64): DoubleTensorType,
    }
    dtype = np.dtype(config.dtype or np.int64)
    if dtype not in types:
        msg = (
            "dtype must be None, int64, int32, float32 or float64 to convert to "
            f"ONNX. Got {dtype} instead."
        )
        raise ValueError(msg)
    return types[dtype]


def _input_widths(operator, est):
    """Number of columns of every input, checked against ``n_features_in_``."""
    from skl2onnx.common.data_types import StringTensorType

    widths = []
    for variable in operator.inputs:
        if not isinstance(variable.type, StringTensorType):
            msg = (
                "The inputs of StringLookupTransformer must be ONNX string "
                f"tensors (StringTensorType). Got {type(variable.type).__name__} "
                f"for input {variable.onnx_name!r} instead; declare the column "
                "as a string and feed its str() text."
            )
            raise TypeError(msg)
        shape = variable.type.shape
        width = shape[1] if len(shape) == 2 else None
        if not isinstance(width, (int, np.integer)):
            msg = (
                f"Input {variable.onnx_name!r} must have a known number of "
                f"columns (shape [None, n]). Got shape {shape} instead."
            )
            raise ValueError(msg)
        widths.append(int(width))
    if sum(widths) != est.n_features_in_:
        msg = (
            f"The ONNX inputs must hold {est.n_features_in_} columns, as seen in "
            f"fit. Got {sum(widths)} columns instead."
        )
        raise ValueError(msg)
    return widths


def _block_depths(est, config):
    n_blocks = len(est.vocabularies_)
    depths = [config.depth(len(terms)) for terms in est.vocabularies_]
    return [depths[0 if n_blocks == 1 else j] for j in range(est.n_features_in_)]


def _shape_calculator(operator):
    est = operator.raw_operator
    config = _check_convertible(est)
    _input_widths(operator, est)
    n_rows = operator.inputs[0].get_first_dimension()
    if config.output_mode == "int":
        width = est.n_features_in_
    else:
        width = sum(_block_depths(est, config))
    operator.outputs[0].type = _output_tensor_type(config)([n_rows, width])


def _label_map(terms, config, missing_value, label):
    """Keys, values and default of the LabelEncoder of one column.

    Values are int-layout indices in ``int`` mode, and positions in the
    encoded block in ``one_hot`` mode, where -1 (the mask) gives a zero row.
    """
    shift = config.output_shift
    keys = list(terms)
    values = list(
        range(config.token_start - shift, config.token_start - shift + len(terms))
    )
    mask_value = 0 if config.output_mode == "int" else -1
    if config.mask_token is not None:
        keys.append(config.mask_token)
        values.append(mask_value)

    if config.handle_missing != "error":
        in_terms = missing_value in set(terms)
        is_mask = missing_value == config.mask_token
        if in_terms or (is_mask and config.handle_missing == "oov"):
            what = "a term" if in_terms else "the mask token"
            msg = (
                f"The {MISSING_OPTION} option must be a string that is neither a "
                f"term nor (with handle_missing='oov') the mask token. Got "
                f"{missing_value!r}, {what} of {label}, instead: missing cells "
                "and that string would get one index. Pass another string "
                f"through options={{StringLookupTransformer: {{{MISSING_OPTION!r}:"
                " ...}}."
            )
            raise ValueError(msg)
        if config.handle_missing == "mask" and not is_mask:
            keys.append(missing_value)
            values.append(mask_value)

    default = config.oov_start - shift
    return keys, values, default


def _column_names(scope, operator, container, widths):
    """The ONNX name of a (n_rows, 1) string tensor for every column."""
    names = []
    for variable, width in zip(operator.inputs, widths, strict=True):
        if width == 1:
            names.append(variable.onnx_name)
            continue
        for j in range(width):
            index = scope.get_unique_variable_name("column_index")
            container.add_initializer(index, _onnx_int64(), [1], [j])
            column = scope.get_unique_variable_name("column")
            container.add_node(
                "Gather",
                [variable.onnx_name, index],
                [column],
                axis=1,
                name=scope.get_unique_operator_name("Gather"),
            )
            names.append(column)
    return names


def _onnx_int64():
    from onnx import TensorProto

    return TensorProto.INT64


def _onnx_elem_type(dtype):
    from onnx import helper

    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _converter(scope, operator, container):
    from sklearn.utils.validation import _check_feature_names_in

    est = operator.raw_operator
    config = _check_convertible(est)
    widths = _input_widths(operator, est)
    options = container.get_options(est, {MISSING_OPTION: DEFAULT_MISSING_VALUE})
    missing_value = options[MISSING_OPTION]
    if not isinstance(missing_value, str):
        msg = (
            f"The {MISSING_OPTION} option must be a str. Got {missing_value!r} instead."
        )
        raise TypeError(msg)

    labels = _check_feature_names_in(est, None)
    depths = _block_depths(est, config)
    one_hot = config.output_mode == "one_hot"
    pieces = []
    for j, column in enumerate(_column_names(scope, operator, container, widths)):
        b = 0 if config.shared_vocabulary else j
        label = f"column {labels[j]!r}"
        keys, values, default = _label_map(
            est.vocabularies_[b], config, missing_value, label
        )
        indices = scope.get_unique_variable_name("indices")
        container.add_node(
            "LabelEncoder",
            [column],
            [indices],
            op_domain="ai.onnx.ml",
            op_version=2,
            name=scope.get_unique_operator_name("LabelEncoder"),
            keys_strings=[k.encode("utf-8") for k in keys],
            values_int64s=values,
            default_int64=default,
        )
        if not one_hot:
            pieces.append(indices)
            continue
        positions = scope.get_unique_variable_name("positions")
        container.add_initializer(
            positions, _onnx_int64(), [depths[j]], list(range(depths[j]))
        )
        hot = scope.get_unique_variable_name("one_hot")
        container.add_node(
            "Equal",
            [indices, positions],
            [hot],
            name=scope.get_unique_operator_name("Equal"),
        )
        pieces.append(hot)

    joined = pieces[0]
    if len(pieces) > 1:
        joined = scope.get_unique_variable_name("joined")
        container.add_node(
            "Concat",
            pieces,
            [joined],
            axis=1,
            name=scope.get_unique_operator_name("Concat"),
        )
    container.add_node(
        "Cast",
        [joined],
        [operator.outputs[0].full_name],
        to=_onnx_elem_type(config.dtype or np.int64),
        name=scope.get_unique_operator_name("Cast"),
    )


def register_onnx_converter():
    """Teach skl2onnx to convert ``StringLookupTransformer``.

    Call it once before ``skl2onnx.to_onnx`` or ``convert_sklearn``; calling
    it again does no harm. Supported: ``output_mode="int"`` and
    ``"one_hot"``, with one OOV index, any mask, ``handle_missing``,
    ``pad_to_max_tokens``, ``shared_vocabulary`` and ``dtype`` (int64,
    int32, float32 or float64). The inputs must be string tensors
    (``StringTensorType``), one per column or several columns per input.

    Missing cells: ONNX string tensors cannot hold ``None`` or ``NaN``, so
    feed a missing cell as the empty string, for example with
    ``X.fillna("")``. The graph maps that string as ``transform`` maps a
    missing cell (the first OOV index, or the mask with
    ``handle_missing="mask"``). To use another string, pass the converter
    option ``missing_value``::

        to_onnx(model, initial_types=...,
                options={StringLookupTransformer: {"missing_value": "<NA>"}})

    The conversion fails if that string is a term of the vocabulary, or,
    with ``handle_missing="oov"``, the mask token. With
    ``handle_missing="mask"``, a cell that really holds that string is taken
    for a missing one, so choose a string the data never holds. With
    ``handle_missing="error"`` the string is looked up like any other.

    Raises
    ------
    ValueError
        At conversion: for other output modes, ``invert=True``, or
        ``num_oov_indices`` other than 1 (several OOV indices need FarmHash,
        which ONNX lacks; with none, ``transform`` raises on unseen terms,
        which a graph cannot do).

    Notes
    -----
    ``sparse=True`` converts to a dense output of the same values. The
    output dtype is ``dtype`` (int64 by default), as in ``transform``.
    """
    from skl2onnx import update_registered_converter

    from skstringlookup._transformer import StringLookupTransformer

    update_registered_converter(
        StringLookupTransformer,
        ONNX_ALIAS,
        _shape_calculator,
        _converter,
        options={MISSING_OPTION: None},
    )
