"""Validation of the constructor parameters into one resolved configuration."""

import codecs
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["Config", "resolve_config"]

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
# Keras accepts these spellings and rewrites them; so do we.
OUTPUT_MODE_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}
HANDLE_MISSING = ("oov", "mask", "error")
ENGINES = ("keras", "arrow")


@dataclass(frozen=True)
class Config:
    """Every parameter the transformer needs, checked and resolved.

    Index layouts follow the Keras layer: lookups are always computed in the
    *int layout* (mask at 0 when a mask token is set, then the OOV slots, then
    the terms); the other output modes drop the mask slot.
    """

    output_mode: str
    invert: bool
    mask_token: str | None
    oov_token: str
    num_oov_indices: int
    max_tokens: int | None
    pad_to_max_tokens: bool
    sparse: bool
    encoding: str
    handle_missing: str
    shared_vocabulary: bool
    dtype: np.dtype | None
    engine: str
    min_frequency: int | float | None

    @property
    def has_mask(self):
        return self.mask_token is not None

    @property
    def oov_start(self):
        """First OOV index in the int layout."""
        return 1 if self.has_mask else 0

    @property
    def token_start(self):
        """Index of the first term in the int layout."""
        return self.oov_start + self.num_oov_indices

    @property
    def reserved(self):
        """Slots of the output that are not terms, as Keras counts them."""
        mask_slot = 1 if (self.has_mask and self.output_mode == "int") else 0
        return mask_slot + self.num_oov_indices

    @property
    def output_shift(self):
        """What to subtract from an int-layout index in a non-int mode."""
        return 0 if self.output_mode == "int" else self.oov_start

    def depth(self, n_terms):
        """Width of one encoded block in a non-int mode."""
        if self.pad_to_max_tokens:
            return self.max_tokens
        return self.num_oov_indices + n_terms

    @property
    def max_terms(self):
        """How many terms fit in `max_tokens`, or None for no limit."""
        if self.max_tokens is None:
            return None
        return self.max_tokens - self.reserved


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        msg = f"{name} must be a bool. Got {value!r} instead."
        raise TypeError(msg)
    return bool(value)


def _check_token(name, value, *, allow_none):
    if value is None and allow_none:
        return None
    if not isinstance(value, str):
        expectation = "None or a str" if allow_none else "a str"
        msg = f"{name} must be {expectation}. Got {value!r} instead."
        raise TypeError(msg)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        msg = f"{name} must be valid UTF-8 text. Got {value!r} instead."
        raise ValueError(msg) from None
    return value


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        msg = f"{name} must be one of {choices}. Got {value!r} instead."
        raise ValueError(msg)
    return value


def resolve_config(est):
    """Check the parameters of `est` and return a :class:`Config`.

    Every problem raises a ``TypeError`` or ``ValueError`` that names the
    parameter and the value received.
    """
    mode = est.output_mode
    mode = OUTPUT_MODE_ALIASES.get(mode, mode) if isinstance(mode, str) else mode
    mode = _check_choice("output_mode", mode, OUTPUT_MODES)
    invert = _check_bool("invert", est.invert)
    sparse = _check_bool("sparse", est.sparse)
    pad = _check_bool("pad_to_max_tokens", est.pad_to_max_tokens)
    shared = _check_bool("shared_vocabulary", est.shared_vocabulary)

    mask_token = _check_token("mask_token", est.mask_token, allow_none=True)
    oov_token = _check_token("oov_token", est.oov_token, allow_none=False)
    if mask_token is not None and mask_token == oov_token:
        msg = (
            "mask_token must differ from oov_token, or the mask and the OOV "
            f"slots could not be told apart. Got {mask_token!r} for both instead."
        )
        raise ValueError(msg)

    k = est.num_oov_indices
    if not _is_int(k) or k < 0:
        msg = f"num_oov_indices must be an int >= 0. Got {k!r} instead."
        raise ValueError(msg)
    k = int(k)

    handle_missing = _check_choice("handle_missing", est.handle_missing, HANDLE_MISSING)
    if handle_missing == "mask" and mask_token is None:
        msg = (
            "handle_missing='mask' sends missing cells to the mask index, so "
            "mask_token must be set. Got mask_token=None instead."
        )
        raise ValueError(msg)

    engine = _check_choice("engine", est.engine, ENGINES)

    encoding = est.encoding
    try:
        codec = codecs.lookup(encoding)
    except (LookupError, TypeError):
        msg = f"encoding must be the name of a Python codec. Got {encoding!r} instead."
        raise ValueError(msg) from None
    if not getattr(codec, "_is_text_encoding", True):
        msg = (
            "encoding must be a text encoding (bytes to str), such as 'utf-8'. "
            f"Got {encoding!r} instead."
        )
        raise ValueError(msg)
    encoding = codec.name

    if invert and mode != "int":
        msg = f"output_mode must be 'int' when invert=True. Got {mode!r} instead."
        raise ValueError(msg)
    if sparse and mode == "int":
        msg = (
            "sparse=True needs output_mode 'one_hot', 'multi_hot', 'count' or "
            "'tf_idf'. Got output_mode='int' instead."
        )
        raise ValueError(msg)
    if est.idf_weights is not None and mode != "tf_idf":
        msg = (
            "idf_weights must be None unless output_mode='tf_idf'. Got "
            f"output_mode={mode!r} instead."
        )
        raise ValueError(msg)

    dtype = est.dtype
    if dtype is not None:
        if invert:
            msg = "dtype must be None when invert=True (the output is terms)."
            msg += f" Got {dtype!r} instead."
            raise ValueError(msg)
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            msg = f"dtype must be None or a NumPy dtype. Got {dtype!r} instead."
            raise TypeError(msg) from None
        if dtype.kind not in "biuf":
            msg = f"dtype must be a numeric NumPy dtype. Got {dtype!r} instead."
            raise ValueError(msg)
        if mode == "tf_idf" and dtype.kind != "f":
            msg = (
                "dtype must be a float dtype with output_mode='tf_idf', whose "
                f"weights are fractions. Got {dtype!r} instead."
            )
            raise ValueError(msg)

    min_frequency = est.min_frequency
    if min_frequency is not None:
        ok_int = _is_int(min_frequency) and min_frequency >= 1
        ok_float = (
            isinstance(min_frequency, numbers.Real)
            and not _is_int(min_frequency)
            and not isinstance(min_frequency, bool)
            and 0.0 < min_frequency <= 1.0
        )
        if ok_int:
            min_frequency = int(min_frequency)
        elif ok_float:
            min_frequency = float(min_frequency)
        else:
            msg = (
                "min_frequency must be None, an int >= 1 (a count) or a float "
                f"in (0, 1] (a share of the non-missing cells). Got {min_frequency!r}"
                " instead."
            )
            raise ValueError(msg)

    config = Config(
        output_mode=mode,
        invert=invert,
        mask_token=mask_token,
        oov_token=oov_token,
        num_oov_indices=k,
        max_tokens=None,
        pad_to_max_tokens=pad,
        sparse=sparse,
        encoding=encoding,
        handle_missing=handle_missing,
        shared_vocabulary=shared,
        dtype=dtype,
        engine=engine,
        min_frequency=min_frequency,
    )

    max_tokens = est.max_tokens
    if max_tokens is not None:
        # Keras slices with a negative bound, or crashes, when max_tokens does
        # not leave room for one term; refuse such values outright.
        if not _is_int(max_tokens) or max_tokens <= max(1, config.reserved):
            msg = (
                "max_tokens must be None or an int greater than 1 and than the "
                f"number of reserved indices ({config.reserved}: {k} OOV"
                f"{' + 1 mask' if config.reserved > k else ''}), so that at least "
                f"one term fits. Got {max_tokens!r} instead."
            )
            raise ValueError(msg)
        max_tokens = int(max_tokens)
    elif pad:
        msg = (
            "max_tokens must be set when pad_to_max_tokens=True. Got "
            "max_tokens=None instead."
        )
        raise ValueError(msg)

    return Config(**{**config.__dict__, "max_tokens": max_tokens})
