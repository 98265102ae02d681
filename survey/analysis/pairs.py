"""How the shares of two groups of a breakdown vary together, for the significance letters.

Two groups of a breakdown are disjoint, so with weights taken as fixed their shares are
independent and the variance of a difference is the sum of the two variances. Raking ties them
together through the margins: R's ``svyby(..., covmat = TRUE)`` and ``svycontrast`` give the
difference of two groups the variance ``V_a + V_b - 2 C_ab``. :func:`share_covariances` gives
each pair's ``C_ab``, from the same estimator as ``results.csv``
(:func:`~survey.analysis.estimates.domain_means` with ``covariance=True``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from survey.analysis.design import groups_covary
from survey.analysis.estimates import domain_means
from survey.analysis.results import groupings, variables
from survey.codebook import Codebook

__all__ = ["COVARIANCE_COLUMNS", "share_covariances"]

COVARIANCE_COLUMNS = ["wave", "question", "option", "by", "group", "other", "covariance"]


def share_covariances(
    respondents: pd.DataFrame,
    codebook: Codebook,
    *,
    wave: str,
    weights: npt.ArrayLike | None,
    domain: npt.ArrayLike | None = None,
) -> pd.DataFrame | None:
    """Each share's covariance with the same share of every other group of its breakdown
    (``COVARIANCE_COLUMNS``, both orders of a pair), for a raked design (linearised or by
    replicates); ``None`` when the groups are independent (no weights, or weights taken as
    fixed). ``domain``: the groups of these respondents only, as a domain of the wave's
    design (:func:`~survey.analysis.results.groupings`).

    Examples
    --------
    >>> from survey.codebook import load_codebook, reference_codebook_path
    >>> respondents = pd.DataFrame({"sector": ["public", "school"], "role": ["librarian"] * 2,
    ...                             "region": ["cariboo"] * 2})
    >>> share_covariances(respondents, load_codebook(reference_codebook_path()), wave="w",
    ...                   weights=np.ones(2)) is None
    True
    """
    if weights is None or not groups_covary(weights):
        return None
    shares = [variable for variable in variables(respondents, codebook) if variable.share]
    if not shares:
        return pd.DataFrame(columns=COVARIANCE_COLUMNS)
    answers = np.column_stack([variable.values for variable in shares])
    parts = []
    for by, codes, names in groupings(respondents, codebook, domain=domain)[1:]:  # not "all"
        size = len(names)
        if size < 2:
            continue
        pairs = domain_means(answers, weights, codes, groups=size, covariance=True).covariance
        assert pairs is not None
        group, other = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
        off = group != other
        kept = [variable for variable in shares if variable.question != by]
        rows = [index for index, variable in enumerate(shares) if variable.question != by]
        count = int(off.sum())
        parts.append(
            pd.DataFrame(
                {
                    "question": np.repeat([variable.question for variable in kept], count),
                    "option": np.repeat([variable.option for variable in kept], count),
                    "by": by,
                    "group": np.tile(np.asarray(names, dtype=object)[group[off]], len(kept)),
                    "other": np.tile(np.asarray(names, dtype=object)[other[off]], len(kept)),
                    "covariance": pairs[rows][:, off].ravel(),
                }
            )
        )
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    table.insert(0, "wave", wave)
    return table.reindex(columns=COVARIANCE_COLUMNS)
