"""Keras ``StringLookup`` as a picklable scikit-learn transformer."""

from skstringlookup._transformer import StringLookupTransformer

__all__ = ["StringLookupTransformer", "__version__"]

__version__ = "0.1.0"
