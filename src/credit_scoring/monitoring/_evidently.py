"""Importing Evidently safely: a pandas 3 compatibility shim and telemetry switched off, applied on first use only.

Evidently 0.7.23 does not import under pandas 3: ``evidently/legacy/tests/data_integrity_tests.py`` does
``from pandas.core.dtypes.common import infer_dtype_from_object``, a private helper that pandas 3 removed. Before the
import we put back an equivalent (the scalar type of a dtype, which is all Evidently uses it for) when it is missing;
under pandas 2 nothing is changed. Remove this module's shim once Evidently stops importing the private helper.

Evidently ships anonymous usage telemetry (its UI and collector services send events unless ``DO_NOT_TRACK`` is set).
Reports made here never need the network, so ``DO_NOT_TRACK`` is set for this process before Evidently is imported.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType
from typing import Any

__all__ = ["import_evidently"]

_DO_NOT_TRACK = "DO_NOT_TRACK"


def _infer_dtype_from_object(dtype: Any) -> type:
    """The scalar type of ``dtype`` (``np.float64`` for "float64"): what the removed pandas helper returned."""
    import pandas as pd

    scalar: type = pd.api.types.pandas_dtype(dtype).type
    return scalar


def import_evidently() -> ModuleType:
    """Apply the shim and the telemetry switch, then import and return the ``evidently`` package."""
    import pandas.core.dtypes.common as common

    os.environ.setdefault(_DO_NOT_TRACK, "1")
    if not hasattr(common, "infer_dtype_from_object"):
        common.infer_dtype_from_object = _infer_dtype_from_object  # type: ignore[attr-defined]
    with warnings.catch_warnings():  # its import trips numpy and pandas deprecations
        warnings.simplefilter("ignore", DeprecationWarning)
        import evidently  # type: ignore[import-untyped]  # Evidently ships no type hints

    module: ModuleType = evidently
    return module
