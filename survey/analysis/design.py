"""The sampling design behind a wave's weights, and what it does to variances.

A wave's weights are raked to the frame's margins. Taken as fixed sampling weights (R's
``svydesign(ids = ~1, weights = ~w)``), a statistic's linearised variance is the spread of its
influence values ``z``. Raking makes the weights depend on the sample: R's ``rake()`` design
removes from ``z`` what the margins explain before taking its spread, which is smaller for
anything related to them. :class:`Calibration` is that step, as R's ``svyrecvar`` runs it for
a raked design:

    10 times:  for each margin m in raking order:
        z <- z - psw_m * ave(z / psw_m, cell_m)

(``cell_m``: each respondent's category of margin ``m``; ``psw_m``: the weights just after the
last raking pass adjusted margin ``m``; ``ave``: the plain mean over everyone in the cell). The
variance is then ``(1 - f) n / (n - 1) sum (z - mean z)^2`` over the wave's ``n`` respondents,
``f = n / N`` with the finite population correction and 0 without.

The adjustment is linear, and what it subtracts lies in the span of ``psw_m`` times each cell's
indicator: ``T z = z - B c`` with ``c = M s`` and ``s`` each cell's sum of ``z / psw_m`` over its
size. :class:`Calibration` works ``M`` out once on the few margin cells, so a statistic needs
only its cell sums, never a respondents x statistics matrix (:meth:`Calibration.squares`,
:meth:`Calibration.cross`); :meth:`Calibration.residuals` is the plain algorithm, kept to check
the shortcut against.

Examples
--------
>>> import numpy as np
>>> cells = (np.array([0, 0, 1, 1]),)                # one margin, two cells
>>> calibration = Calibration(cells, (np.array([1.0, 3.0, 2.0, 2.0]),))
>>> z = np.array([[1.0], [-1.0], [0.5], [-0.5]])
>>> calibration.residuals(z).ravel().round(4).tolist()  # each cell's mean of z / psw removed
[0.6667, -2.0, 0.5, -0.5]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from survey.analysis.replicates import Replicates
from survey.arrays import Floats, Ints
from survey.codebook import Variance

__all__ = [
    "FIXED_WEIGHTS",
    "Calibration",
    "Design",
    "Variance",
    "groups_covary",
    "replicates_of",
    "variance_of",
]


#: How the margins of error of weights taken as fixed are said to a member.
FIXED_WEIGHTS = (
    "Margins of error treat the weights as fixed: standard errors are linearised as for any "
    "weighted sample."
)

#: How many times R's ``svyrecvar`` runs over the margins of a raked design (fixed, not to
#: convergence).
RAKING_PASSES = 10


@dataclass(frozen=True, eq=False)
class Calibration:
    """What raking to the margins removes from a statistic's influence values.

    Parameters
    ----------
    cells
        For each margin, in raking order, each respondent's category ``0 .. k-1``.
    weights
        For each margin, the weights right after the last raking pass adjusted it (R's
        ``attr(margin, "weights")``).
    """

    cells: tuple[Ints, ...]
    weights: tuple[Floats, ...]
    _small: tuple[Floats, Floats, Floats, Floats, Ints] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_small", self._reduce())

    @property
    def size(self) -> int:
        """How many cells all margins have together."""
        return int(self._small[4][-1])

    def _reduce(self) -> tuple[Floats, Floats, Floats, Floats, Ints]:
        """``M`` (cells x cells), ``G = B'B``, ``B'1`` and each cell's size, and where each
        margin's cells start in the stacked cells."""
        sizes = [int(cell.max(initial=-1)) + 1 for cell in self.cells]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        total = int(starts[-1])
        # psw_m' / psw_m summed over each pair of cells (a of m, b of m'), and psw_m psw_m'
        ratio = np.zeros((total, total))
        gram = np.zeros((total, total))
        counts = np.zeros(total)
        ones = np.zeros(total)
        for m, (cell_m, psw_m) in enumerate(zip(self.cells, self.weights, strict=True)):
            rows = slice(starts[m], starts[m + 1])
            counts[rows] = np.bincount(cell_m, minlength=sizes[m])
            ones[rows] = np.bincount(cell_m, weights=psw_m, minlength=sizes[m])
            for k, (cell_k, psw_k) in enumerate(zip(self.cells, self.weights, strict=True)):
                pair = cell_m * sizes[k] + cell_k
                shape = (sizes[m], sizes[k])
                columns = slice(starts[k], starts[k + 1])
                ratio[rows, columns] = np.bincount(
                    pair, weights=psw_k / psw_m, minlength=sizes[m] * sizes[k]
                ).reshape(shape)
                gram[rows, columns] = np.bincount(
                    pair, weights=psw_k * psw_m, minlength=sizes[m] * sizes[k]
                ).reshape(shape)
        # R's passes on the cells: c_m += s_m - ave_m(B c / psw_m), from c = 0, for every s
        # at once (the columns of the identity)
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = ratio / counts[:, None]
        spread = np.nan_to_num(spread)
        reduce = np.zeros((total, total))
        identity = np.eye(total)
        for _ in range(RAKING_PASSES):
            for m in range(len(self.cells)):
                rows = slice(starts[m], starts[m + 1])
                reduce[rows] += identity[rows] - spread[rows] @ reduce
        return reduce, gram, ones, counts, starts

    def residuals(self, z: npt.ArrayLike) -> Floats:
        """R's algorithm on a respondents x statistics matrix of influence values."""
        x = np.array(z, dtype=float, copy=True)
        for _ in range(RAKING_PASSES):
            for cell, psw in zip(self.cells, self.weights, strict=True):
                size = int(cell.max(initial=-1)) + 1
                count = np.bincount(cell, minlength=size)
                sums = np.stack(
                    [np.bincount(cell, weights=x[:, j] / psw, minlength=size)
                     for j in range(x.shape[1])],
                    axis=1,
                )  # fmt: skip
                x -= psw[:, None] * (sums / np.maximum(count, 1)[:, None])[cell]
        return x

    def squares(self, squares: Floats, u: Floats, v: Floats, *, n: int) -> Floats:
        """Each statistic's ``sum (T z - mean T z)^2``, from its own sums.

        Parameters
        ----------
        squares
            ``sum z^2`` of each statistic (any shape ``...``); its ``z`` must add up to 0, as
            a mean's or a share's influence values do, in a domain too.
        u, v
            ``... x cells``: each margin cell's sum of ``psw_m z`` and of ``z / psw_m``
            (margin by margin in raking order, as :attr:`margins` lists them).
        n
            The wave's respondents.
        """
        reduce, gram, ones, counts, _ = self._small
        s = np.divide(v, counts, out=np.zeros_like(v), where=counts > 0)
        c = s @ reduce.T
        lost = c @ ones  # sum T z = sum z - B'1 . c
        adjusted = (
            squares
            - 2 * np.einsum("...k,...k->...", u, c)
            + np.einsum("...k,kl,...l->...", c, gram, c)
            - lost**2 / n
        )
        # a share of a raked margin keeps almost none of its variance: the difference of
        # large sums can fall a rounding error below 0 there
        return np.asarray(np.maximum(adjusted, 0.0), dtype=float)

    def cross(self, products: Floats, u: Floats, v: Floats, *, n: int) -> Floats:
        """:meth:`squares` for every pair of several statistics at once: from their
        ``sum z_k z_l`` (``... x K x K``) and cell sums (``... x K x cells``), the matrix of
        ``sum (T z_k - mean) (T z_l - mean)``."""
        reduce, gram, ones, counts, _ = self._small
        s = np.divide(v, counts, out=np.zeros_like(v), where=counts > 0)
        c = s @ reduce.T
        lost = c @ ones
        u_c = u @ np.swapaxes(c, -1, -2)  # u_k . c_l
        return np.asarray(
            products
            - u_c
            - np.swapaxes(u_c, -1, -2)
            + c @ gram @ np.swapaxes(c, -1, -2)
            - lost[..., :, None] * lost[..., None, :] / n,
            dtype=float,
        )

    @property
    def margins(self) -> list[tuple[Ints, Floats, int]]:
        """Each margin's cells, weights ``psw_m`` and how many cells it has."""
        starts = self._small[4]
        return [
            (cell, psw, int(starts[m + 1] - starts[m]))
            for m, (cell, psw) in enumerate(zip(self.cells, self.weights, strict=True))
        ]


def variance_of(weights: npt.ArrayLike) -> tuple[Calibration | None, float]:
    """The raking whose effect a linearised variance takes off (``None``: the weights are
    taken as fixed, as plain arrays of weights always are), and the finite population
    correction's factor.

    A replicate design (``jk1``, ``bootstrap``) gets ``None``: its estimators
    (:func:`~survey.analysis.estimates.domain_means`, ``category_shares``) take their variance
    from :attr:`Design.replicates` instead; :func:`replicates_of` says when.
    """
    if not isinstance(weights, Design):
        return None, 1.0
    raked = weights.variance is Variance.RAKED and weights.calibration is not None
    return (weights.calibration if raked else None), weights.fpc


def replicates_of(weights: npt.ArrayLike) -> Replicates | None:
    """The replicate weights whose spread gives a variance (``None``: linearised)."""
    if isinstance(weights, Design) and weights.variance in (Variance.JK1, Variance.BOOTSTRAP):
        return weights.replicates
    return None


def groups_covary(weights: npt.ArrayLike) -> bool:
    """Whether two disjoint groups' estimates have a covariance under these weights (a
    raked design, linearised or by replicates), so that a difference's variance is not
    the sum of the two variances."""
    return variance_of(weights)[0] is not None or replicates_of(weights) is not None


@dataclass(frozen=True, eq=False)
class Design:
    """A wave's weights and the design they came from.

    Everything that takes weights takes a ``Design`` too: as an array it is its weights
    (``np.asarray(design)``), and the estimators that know designs use its variance.

    Parameters
    ----------
    weights
        One weight per respondent.
    calibration
        The raking that made the weights (``None``: weights taken as fixed).
    fpc
        The finite population correction's factor ``1 - n / N`` (1: none).
    variance
        How variances are computed.
    replicates
        With ``variance`` JK1 or bootstrap: the replicate weights, each raked to the margins
        (their ``scale`` already holds the finite population correction).
    """

    weights: Floats
    calibration: Calibration | None = None
    fpc: float = 1.0
    variance: Variance = Variance.FIXED
    replicates: Replicates | None = None

    def __post_init__(self) -> None:
        if self.variance in (Variance.JK1, Variance.BOOTSTRAP) and self.replicates is None:
            raise ValueError(f"a {self.variance!s} design needs its replicate weights")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Floats:
        return np.asarray(self.weights, dtype=dtype)

    def __len__(self) -> int:
        return len(self.weights)

    def summary(self) -> dict[str, object]:
        """What ``weighting.json`` and the run's manifest record of the variance method."""
        found: dict[str, object] = {
            "variance": str(self.variance),
            "fpc": self.fpc < 1,
            "fpc_factor": self.fpc,
            "variance_method": self.describe(),
        }
        if self.replicates is not None:
            found.update(self.replicates.summary())
        return found

    def describe(self) -> str:
        """The variance method in one sentence a member can read."""
        if self.variance is Variance.RAKED:
            text = (
                "Margins of error allow for the weighting: standard errors are linearised "
                "for weights raked to the membership's margins, as R's survey package does"
            )
        elif self.variance is Variance.JK1:
            text = (
                "Margins of error allow for the weighting: standard errors come from jackknife "
                "replicates, each leaving one respondent out and raked again to the "
                "membership's margins, as R's survey package does"
            )
        elif self.variance is Variance.BOOTSTRAP:
            size = self.replicates.size if self.replicates is not None else 0
            text = (
                f"Margins of error allow for the weighting: standard errors come from {size} "
                "bootstrap resamples of the respondents, each raked again to the membership's "
                "margins"
            )
        else:
            text = FIXED_WEIGHTS.rstrip(".")
        if self.fpc < 1:
            text += (
                f", and a finite population correction takes off {1 - self.fpc:.0%} of the "
                "variance because the survey reached a large share of the membership"
            )
        return text + "."
