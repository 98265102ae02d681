"""Design-based tests of weighted data, as R's ``survey`` package computes them.

- :func:`rao_scott` (and :func:`rao_scott_tests`, many tables at once): the design-based
  chi-square test with Rao and Scott's second-order correction, as R's ``svychisq()`` default
  (``statistic = "F"``).
- :func:`wald_means`: the Wald F test that a number's mean is the same in every group, as R's
  ``regTermTest`` on ``svyglm(y ~ g)``.

Raked weights are treated as sampling weights with no strata or clusters; a raked design's
variances take off what the margins explain (:mod:`survey.analysis.design`). A replicate design
(``weighting.variance: jk1`` or ``bootstrap``) takes the covariance of the cell shares, or of
the group means, from its replicates, as R's ``svychisq`` and ``regTermTest`` on the replicate
design do; its degrees of freedom are the rank of the part's replicate weights less one
(:meth:`~survey.analysis.replicates.Replicates.degrees`; R finds that rank numerically, which
can land a step or two away, moving a p-value by about 1e-4 of itself). The Rao-Scott test,
for an r x c table on the respondents who answered both questions (``N`` of them,
``nu = N - 1`` degrees of freedom of the design):

    p       cell proportions (weighted), V their covariance (linearised: n/(n-1), n the wave)
    X2      Pearson's statistic of the weighted table scaled to total N
    C       interaction contrasts with the main effects projected out
    Delta   (C' D^-1 C / N)^-1 (C' D^-1 V D^-1 C),  D = diag(p)
    F       X2 / trace(Delta)  on  d0 = trace(Delta)^2 / trace(Delta^2)  and  d0 * nu  df
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from survey.analysis.design import Calibration, replicates_of, variance_of
from survey.analysis.replicates import Replicates, domain_variances

__all__ = ["BLOCK_CODES", "RaoScott", "WaldMeans", "rao_scott", "rao_scott_tests", "wald_means"]


@dataclass(frozen=True)
class RaoScott:
    """A Rao-Scott test of independence.

    Attributes
    ----------
    statistic, ndf, ddf, p
        The F statistic, its degrees of freedom and p-value (R's default).
    chisq, chisq_df, chisq_p
        Pearson's X2 of the weighted table scaled to N, and the first-order corrected p-value
        on (r-1)(c-1) df (R's ``statistic = "Chisq"``).
    cramers_v
        Cramér's V of the weighted table scaled to N.
    n
        Respondents who answered both questions.
    """

    statistic: float
    ndf: float
    ddf: float
    p: float
    chisq: float
    chisq_df: int
    chisq_p: float
    cramers_v: float
    n: int


def rao_scott(
    rows: npt.ArrayLike, columns: npt.ArrayLike, weights: npt.ArrayLike
) -> RaoScott | None:
    """The Rao-Scott test of ``rows`` against ``columns`` (category codes, ``-1`` missing).

    Every respondent of the wave is passed (the variance uses the wave's ``n``); those with a
    missing code are left out of the table. Returns ``None`` when the table has fewer than two
    rows or two columns, or when its empty cells make the design-effect matrix singular (R's
    ``svychisq`` stops with "system is computationally singular" on such a table). Many tables
    of one wave are tested faster together, with :func:`rao_scott_tests`.

    Examples
    --------
    >>> rows = np.array([0, 0, 1, 1, 0, 1, 0, 1, 1, 0])
    >>> columns = np.array([0, 1, 0, 1, 0, 1, 1, 1, 0, -1])
    >>> test = rao_scott(rows, columns, np.ones(10))  # counts [[2, 2], [2, 3]]: X2 = 0.09
    >>> round(test.chisq, 4), test.chisq_df, test.n
    (0.09, 1, 9)
    """
    r_codes = np.asarray(rows, dtype=np.int64)
    c_codes = np.asarray(columns, dtype=np.int64)
    return rao_scott_tests(r_codes[None, :], c_codes[None, :], weights)[0]


#: How many codes (tables x respondents) :func:`rao_scott_tests` handles in one block.
BLOCK_CODES = 1 << 21


def rao_scott_tests(
    rows: npt.ArrayLike, columns: npt.ArrayLike, weights: npt.ArrayLike
) -> list[RaoScott | None]:
    """:func:`rao_scott` for many tables of one wave at once.

    ``rows`` and ``columns`` hold one table per row (tables x respondents, category codes,
    ``-1`` missing); either may be a single row, used for every table (the 16 importance
    topics against one breakdown, say). Each table is counted in three ``bincount`` passes
    over the wave; tables of the same shape share their contrasts and go through the matrix
    algebra together, and the p-values come from one call of each distribution.

    The linearised covariance of a table's cell proportions is formed from per-cell sums
    (with ``S_k`` the cell's sum of squared weights, ``S`` the table's and ``W`` its total
    weight, ``sum_i z_ik z_il = (S p_k p_l - S_k p_l - p_k S_l) / W^2`` off the diagonal and
    ``(S_k (1 - p_k)^2 + (S - S_k) p_k^2) / W^2`` on it), not from the n x cells matrix of
    the ``z_ik``: the same numbers up to rounding (about 1e-15 relative).

    Examples
    --------
    >>> rows = np.array([[0, 0, 1, 1, 0, 1, 0, 1, 1, 0], [0, 1, 1, 1, 0, 1, 0, 0, 1, -1]])
    >>> tests = rao_scott_tests(rows, np.array([0, 1, 0, 1, 0, 1, 1, 1, 0, 1]), np.ones(10))
    >>> [round(test.chisq, 4) for test in tests]  # counts [[2, 3], [2, 3]] and [[2, 2], [2, 3]]
    [0.0, 0.09]
    """
    # scipy.stats takes about a second to import: loaded when a test first runs
    from scipy.stats import chi2, f

    r_all, c_all = np.broadcast_arrays(
        np.atleast_2d(np.asarray(rows, dtype=np.int64)),
        np.atleast_2d(np.asarray(columns, dtype=np.int64)),
    )
    w = np.asarray(weights, dtype=float)
    replicates = replicates_of(weights)  # their scale holds any finite population correction
    calibration, fpc = variance_of(weights)
    tables = len(r_all)
    if tables == 0:
        return []
    step = max(1, BLOCK_CODES // max(w.size, 1))
    parts = [
        _rao_scott_block(
            r_all[start : start + step],
            c_all[start : start + step],
            w,
            calibration,
            fpc,
            replicates,
        )
        for start in range(0, tables, step)
    ]
    found = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    tested = found["tested"]
    d0, n = found["d0"], found["n"]
    # the design's degrees of freedom: a raked design keeps every respondent of the wave in
    # a table's subset (with weight 0 outside it), so R counts them all; a replicate
    # design's subset has its own rows, and the rank of their replicate weights
    if replicates is not None:
        degrees = replicates.degrees(n)
    elif calibration is not None:
        degrees = np.full(tables, w.size - 1)
    else:
        degrees = n - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        p = f.sf(found["statistic"], d0, d0 * degrees)
        chisq_p = chi2.sf(found["chisq"] / (found["trace"] / found["df"]), found["df"])
    return [
        RaoScott(
            statistic=float(found["statistic"][i]),
            ndf=float(d0[i]),
            ddf=float(d0[i] * degrees[i]),
            p=float(p[i]),
            chisq=float(found["chisq"][i]),
            chisq_df=int(found["df"][i]),
            chisq_p=float(chisq_p[i]),
            cramers_v=float(found["cramers_v"][i]),
            n=int(n[i]),
        )
        if tested[i]
        else None
        for i in range(tables)
    ]


@functools.lru_cache(maxsize=64)
def _contrasts(nr: int, nc: int) -> npt.NDArray[np.float64]:
    """The interaction contrasts of an ``nr`` x ``nc`` table with the main effects projected
    out (cells x interactions, cells in R's order: rows vary fastest)."""
    cells = nr * nc
    r_of, c_of = np.arange(cells) % nr, np.arange(cells) // nr
    main = np.column_stack(
        [np.ones(cells)]
        + [(r_of == i).astype(float) for i in range(1, nr)]
        + [(c_of == j).astype(float) for j in range(1, nc)]
    )
    interactions = np.column_stack(
        [((r_of == i) & (c_of == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    fitted = main @ np.linalg.lstsq(main, interactions, rcond=None)[0]
    contrasts = interactions - fitted
    contrasts.setflags(write=False)
    return contrasts


def _rao_scott_block(
    r_codes: npt.NDArray[np.int64],
    c_codes: npt.NDArray[np.int64],
    w: npt.NDArray[np.float64],
    calibration: Calibration | None,
    fpc: float,
    replicates: Replicates | None = None,
) -> dict[str, npt.NDArray[np.generic]]:
    """The statistics of :func:`rao_scott_tests` for a block of tables (p-values apart)."""
    tables, n_total = r_codes.shape
    r_codes, c_codes = _small_codes(r_codes), _small_codes(c_codes)
    nr_all, nc_all = int(r_codes.max(initial=0)) + 1, int(c_codes.max(initial=0)) + 1
    # every table's full (weighted) cross-table of the codes: the levels a table has are those
    # with respondents, as np.unique would find them
    width = nr_all * nc_all
    counts = np.empty((tables, nc_all, nr_all), dtype=np.int64)  # counts[table, column, row]
    cell_weight, cell_squares = np.empty(counts.shape), np.empty(counts.shape)
    squares = w * w
    shared = c_codes.strides[0] == 0  # one row of column codes for every table
    # with a raking: each table cell's weight times psw and over psw, in each margin cell
    margins = [] if calibration is None else calibration.margins
    by_margin = np.empty((2, tables, nc_all, nr_all, calibration.size if calibration else 0))
    spread = 0 if replicates is None else width  # the cells' covariance from the replicates
    by_replicates = np.empty((tables, spread, spread))
    for number in range(tables):
        if number == 0 or not shared:
            columns, answered = nr_all * c_codes[number], c_codes[number] >= 0
        rows = r_codes[number]
        cell = np.where((rows >= 0) & answered, rows + columns, width)
        counts[number].flat = np.bincount(cell, minlength=width + 1)[:width]
        cell_weight[number].flat = np.bincount(cell, weights=w, minlength=width + 1)[:width]
        cell_squares[number].flat = np.bincount(cell, weights=squares, minlength=width + 1)[:width]
        if replicates is not None:  # every replicate's share of each cell of the table
            inside = cell < width
            member = np.zeros((len(cell), width))
            member[np.flatnonzero(inside), cell[inside]] = 1.0
            totals = replicates.totals(member)
            with np.errstate(invalid="ignore", divide="ignore"):
                shares = totals / totals.sum(axis=1, keepdims=True)
            by_replicates[number] = replicates.covariance_of(shares)
        start = 0
        for margin, psw, k in margins:
            place = cell * k + margin
            for side, factor in enumerate((w * psw, w / psw)):
                by_margin[side, number, :, :, start : start + k] = np.bincount(
                    place, weights=factor, minlength=(width + 1) * k
                )[: width * k].reshape(nc_all, nr_all, k)
            start += k
    has_row, has_column = counts.sum(axis=1) > 0, counts.sum(axis=2) > 0
    nr, nc = has_row.sum(axis=1), has_column.sum(axis=1)
    n = counts.sum(axis=(1, 2))
    found: dict[str, npt.NDArray[np.generic]] = {
        "tested": np.zeros(tables, dtype=bool),
        "n": n,
        "df": (nr - 1) * (nc - 1),
    }
    found |= {
        name: np.full(tables, np.nan) for name in ("statistic", "d0", "chisq", "trace", "cramers_v")
    }
    for r_levels, c_levels in sorted({(int(a), int(b)) for a, b in zip(nr, nc, strict=True)}):
        if r_levels < 2 or c_levels < 2:
            continue
        which = np.flatnonzero((nr == r_levels) & (nc == c_levels))
        r_of = np.nonzero(has_row[which])[1].reshape(-1, 1, r_levels)
        c_of = np.nonzero(has_column[which])[1].reshape(-1, c_levels, 1)
        at = (which[:, None, None], c_of, r_of)  # the table's cells, rows varying fastest
        _rao_scott_shape(
            (r_levels, c_levels),
            which,
            cell_weight[at].reshape(len(which), -1),
            cell_squares[at].reshape(len(which), -1),
            n_total,
            found,
            None
            if calibration is None
            else (
                calibration,
                by_margin[0][at].reshape(len(which), -1, calibration.size),
                by_margin[1][at].reshape(len(which), -1, calibration.size),
            ),
            fpc,
            None if replicates is None else _table_covariance(by_replicates, at, nr_all),
        )
    return found


def _table_covariance(
    covariance: npt.NDArray[np.float64], at: tuple[npt.NDArray[np.int64], ...], rows: int
) -> npt.NDArray[np.float64]:
    """The tables' covariances of their own cells (tables x cells x cells, rows varying
    fastest) out of each table's covariance of every cell of the full cross-table."""
    which, c_of, r_of = at
    place = (c_of * rows + r_of).reshape(len(which), -1)
    tables = which.reshape(-1)[:, None, None]
    return np.asarray(covariance[tables, place[:, :, None], place[:, None, :]], dtype=float)


def _small_codes(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The codes, renumbered ``0, 1, ...`` in order if they are large (``-1`` stays)."""
    if codes.max(initial=0) < 64:
        return codes
    levels, index = np.unique(np.maximum(codes, -1), return_inverse=True)
    return (index.reshape(codes.shape) - (levels[0] == -1)).astype(np.int64)


def _rao_scott_shape(
    shape: tuple[int, int],
    which: npt.NDArray[np.int64],
    cell_weight: npt.NDArray[np.float64],
    squares: npt.NDArray[np.float64],
    n_total: int,
    found: dict[str, npt.NDArray[np.generic]],
    raking: tuple[Calibration, npt.NDArray[np.float64], npt.NDArray[np.float64]] | None,
    fpc: float,
    replicated: npt.NDArray[np.float64] | None = None,
) -> None:
    """The Rao-Scott statistics of the tables ``which``, all ``shape``, into ``found`` (from
    their cells' weights and squared weights, tables x cells; with a ``raking``, also its
    calibration and each cell's weight times and over ``psw`` in each margin cell, tables x
    cells x margin cells)."""
    nr, nc = shape
    cells = nr * nc
    size = found["n"][which].astype(float)
    weight = cell_weight.sum(axis=1)[:, None]
    p = cell_weight / weight
    square_total = squares.sum(axis=1)[:, None]

    # linearised covariance of the cell proportions (see rao_scott_tests)
    cross = squares[:, :, None] * p[:, None, :]
    z_z = square_total[:, :, None] * p[:, :, None] * p[:, None, :] - cross
    z_z -= cross.transpose(0, 2, 1)
    diagonal = np.arange(cells)
    z_z[:, diagonal, diagonal] = squares * (1 - p) ** 2 + (square_total - squares) * p**2
    if raking is not None:  # the residuals w (in cell - p) summed in each margin cell
        calibration, times, over = raking
        u, v = (side - p[:, :, None] * side.sum(axis=1)[:, None, :] for side in (times, over))
        z_z = calibration.cross(z_z, u, v, n=n_total)
    variance = fpc * n_total / (n_total - 1) * z_z / (weight**2)[:, :, None]
    if replicated is not None:  # a replicate design's covariance of the cell shares
        variance = replicated

    observed = (p * size[:, None]).reshape(-1, nc, nr).transpose(0, 2, 1)  # observed[r, c]
    expected = (
        observed.sum(axis=2)[:, :, None] * observed.sum(axis=1)[:, None, :] / size[:, None, None]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        pearson = np.nansum((observed - expected) ** 2 / expected, axis=(1, 2))

    contrasts = _contrasts(nr, nc)
    inverse = np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p))
    scaled = contrasts[None, :, :] * inverse[:, :, None]
    denominator = contrasts.T @ scaled / size[:, None, None]
    numerator = scaled.transpose(0, 2, 1) @ variance @ scaled
    # empty cells leave an interaction no data informs: R's solve() stops there with "system
    # is computationally singular", and no test is published
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        regular = ~(np.linalg.cond(denominator, 1) * np.finfo(float).eps >= 1)
    delta = np.linalg.solve(denominator[regular], numerator[regular])
    trace = np.trace(delta, axis1=1, axis2=2)
    squared = np.trace(delta @ delta, axis1=1, axis2=2)
    kept = which[regular]
    found["tested"][kept] = True
    found["trace"][kept] = trace
    found["d0"][kept] = trace**2 / squared
    found["statistic"][kept] = pearson[regular] / trace
    found["chisq"][kept] = pearson[regular]
    found["cramers_v"][kept] = np.sqrt(pearson[regular] / (size[regular] * (min(nr, nc) - 1)))


@dataclass(frozen=True)
class WaldMeans:
    """A design-based Wald test that a number's mean is the same in every group.

    Attributes
    ----------
    statistic, ndf, ddf, p
        The F statistic (Wald statistic / ndf) on ``ndf = k - 1`` and ``ddf = n - k`` degrees
        of freedom (a replicate design: the rank of the part's replicate weights less ``k``),
        and its p-value (R's ``regTermTest(svyglm(y ~ g), ~g)``).
    eta_squared
        The weighted share of the variance between groups (R² of the weighted fit).
    n
        Respondents with both a value and a group.
    """

    statistic: float
    ndf: int
    ddf: int
    p: float
    eta_squared: float
    n: int


def wald_means(
    values: npt.ArrayLike, groups: npt.ArrayLike, weights: npt.ArrayLike
) -> WaldMeans | None:
    """The Wald F test of equal group means of ``values`` across ``groups`` (codes, ``-1``
    missing), as R's ``regTermTest`` on ``svyglm(y ~ g)`` for ``svydesign(ids = ~1, weights)``.

    Every respondent of the wave is passed (the variance uses the wave's ``n``); those with a
    missing value or group are left out. The group means are the weighted means; their
    linearised variances are independent (domains of a design without strata or clusters), so
    the Wald statistic of the k - 1 differences from the first group is
    ``d' (C V C')^-1 d``. Returns ``None`` with fewer than two groups or no spread.

    Examples
    --------
    >>> test = wald_means([1.0, 2, 3, 4, 5, 6], [0, 0, 0, 1, 1, 1], np.ones(6))
    >>> # means 2 and 5; each has variance n/(n-1) sum((y - mean) / 3)^2 = 6/5 * 2/9 = 0.267
    >>> round(test.statistic, 4), test.ndf, test.ddf  # 3^2 / (2 * 0.267)
    (16.875, 1, 4)
    """
    # scipy.stats takes about a second to import: loaded when a test first runs
    from scipy.stats import f

    y_all = np.asarray(values, dtype=float)
    g_all = np.asarray(groups, dtype=np.int64)
    w_all = np.asarray(weights, dtype=float)
    replicates = replicates_of(weights)  # their scale holds any finite population correction
    calibration, fpc = variance_of(weights)
    n_total = len(w_all)
    used = (g_all >= 0) & ~np.isnan(y_all)
    levels, g = np.unique(g_all[used], return_inverse=True)
    k = len(levels)
    y, w = y_all[used], w_all[used]
    n = len(y)
    if k < 2 or n <= k:
        return None
    total = np.bincount(g, weights=w, minlength=k)
    means = np.bincount(g, weights=w * y, minlength=k) / total
    residual = y - means[g]
    # influence of respondent i on its group's mean: w_i (y_i - mean_g) / W_g (sums to 0)
    influence = w * residual / total[g]
    products = np.diag(np.bincount(g, weights=influence**2, minlength=k).astype(float))
    if calibration is not None:  # each group's influence summed in each margin cell
        u, v = (
            np.concatenate(
                [
                    np.bincount(
                        g * size + cell[used], weights=influence * factor(psw[used]),
                        minlength=k * size,
                    ).reshape(k, size)
                    for cell, psw, size in calibration.margins
                ],
                axis=1,
            )
            for factor in (lambda psw: psw, lambda psw: 1.0 / psw)
        )  # fmt: skip
        products = calibration.cross(products, u, v, n=n_total)
    variance = fpc * n_total / (n_total - 1) * products
    ddf = n - k
    if replicates is not None:  # the group means' covariance from the replicates
        codes = np.full(n_total, -1, dtype=np.int64)
        codes[used] = g
        _, found = domain_variances(
            replicates, np.where(used, y_all, np.nan), codes, groups=k, covariance=True
        )
        assert found is not None
        variance = found.reshape(k, k)
        # R: the model's residual degrees, the subset's design degrees + 1 - coefficients
        ddf = int(replicates.degrees(n)) + 1 - k
    if np.any(np.diag(variance) <= 0):
        return None
    contrasts = np.column_stack([-np.ones(k - 1), np.eye(k - 1)])
    difference = contrasts @ means
    covariance = contrasts @ variance @ contrasts.T
    wald = float(difference @ np.linalg.solve(covariance, difference))
    statistic = wald / (k - 1)
    grand = float(np.average(y, weights=w))
    spread = float(np.sum(w * (y - grand) ** 2))
    return WaldMeans(
        statistic=statistic,
        ndf=k - 1,
        ddf=ddf,
        p=float(f.sf(statistic, k - 1, ddf)),
        eta_squared=float(np.sum(total * (means - grand) ** 2)) / spread,
        n=n,
    )
