"""Keras ``StringLookup`` as a picklable scikit-learn transformer."""

from skstringlookup._onnx import register_onnx_converter
from skstringlookup._transformer import StringLookupTransformer

__all__ = [
    "SKOPS_TRUSTED_TYPES",
    "StringLookupTransformer",
    "__version__",
    "register_onnx_converter",
]

__version__ = "0.1.0"

#: The types to pass to ``skops.io.load(..., trusted=SKOPS_TRUSTED_TYPES)``: a
#: fitted transformer holds only these besides types skops trusts already, as
#: long as ``dtype`` is None, a str or a NumPy scalar type (not a
#: ``numpy.dtype`` object) and a vocabulary file is named by a str (not a
#: ``pathlib.Path``).
SKOPS_TRUSTED_TYPES = ["skstringlookup._transformer.StringLookupTransformer"]
