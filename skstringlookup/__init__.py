"""Keras ``StringLookup`` as a picklable scikit-learn transformer."""

from skstringlookup._transformer import StringLookupTransformer

__all__ = ["SKOPS_TRUSTED_TYPES", "StringLookupTransformer", "__version__"]

__version__ = "0.1.0"

#: The types to pass to ``skops.io.load(..., trusted=SKOPS_TRUSTED_TYPES)``: a
#: fitted transformer holds only these besides types skops trusts already.
SKOPS_TRUSTED_TYPES = ["skstringlookup._transformer.StringLookupTransformer"]
