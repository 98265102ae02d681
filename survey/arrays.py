"""The names of the numpy arrays the toolkit passes around, one definition each."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["Bools", "Floats", "Ints"]

#: One number per respondent (or per cell, group ...), NaN where missing.
Floats = npt.NDArray[np.float64]
#: Codes and counts: ``-1`` where missing.
Ints = npt.NDArray[np.int64]
#: Masks.
Bools = npt.NDArray[np.bool_]
