"""How the survey was done, and how to read the numbers: the deck's last two
slides.
"""

from __future__ import annotations

from survey.analysis.methods import HypothesisTest
from survey.export.pptx.notes import _caveats, _rule
from survey.export.pptx.slides import _Kind, _Slide
from survey.export.pptx.wave import _Wave
from survey.report import style

__all__ = ["_method_slides"]

_TEST_NAMES: dict[str, str] = {
    HypothesisTest.RAO_SCOTT_F: "Rao-Scott adjusted chi-square test (F form) on the weighted data",
    HypothesisTest.CHI2_INDEPENDENCE: "chi-square test of independence",
    HypothesisTest.WALD_F: "Wald F test of group means (numbers)",
    HypothesisTest.KRUSKAL_WALLIS: "Kruskal-Wallis test (ratings and numbers)",
    HypothesisTest.MANN_WHITNEY: "Mann-Whitney test",
}


def _method_slides(wave: _Wave) -> list[_Slide]:
    tables, labels = wave.tables, wave.labels
    received = tables.validation.get("rows")
    set_aside = int(tables.quarantined.sum()) if len(tables.quarantined) else 0
    reasons = ", ".join(
        f"{int(count)} {str(reason).replace('_', ' ')}"
        for reason, count in tables.quarantined.items()
    )
    responses = f"Responses: {tables.analysed:,} analysed"
    if received is not None:
        responses += f" of {int(received):,} received"
    if set_aside:
        responses += f"; {set_aside} set aside ({reasons})"
    bullets = [responses + "."]
    if tables.weighting is not None:
        variables = dict.fromkeys(c["variable"] for c in tables.weighting.get("composition", []))
        weighting = (
            "Weighting: raked to the membership frame by "
            + " and ".join(labels.dimension(v).lower() for v in variables)
            if tables.raked
            else f"Weighting: {tables.unraked_weights.rstrip('.')}"
        )
        design = tables.weighting.get("design_effect")
        effective = tables.weighting.get("effective_n")
        if design is not None:
            weighting += f"; design effect {style.value(design, digits=2)}"
        if effective is not None:
            weighting += f", effective sample size {effective:,.0f}"
        bullets.append(weighting + ".")
        bullets.append(str(tables.variance_method))
    else:
        bullets.append("Weighting: none; the figures describe the respondents.")
    shares = wave.results[(wave.results["option"] != "mean") & wave.results["published"]]
    half = (shares["ci_high"] - shares["ci_low"]) / 2
    overall, groups = half[shares["by"] == "all"], half[shares["by"] != "all"]
    if len(overall) and len(groups):
        bullets.append(
            "Margins of error (95% confidence intervals): up to "
            f"±{style.percent(float(overall.max()))[:-1]} points for all respondents, up to "
            f"±{style.percent(float(groups.max()))[:-1]} points in the smallest groups shown."
        )
    bullets.append(f"Small groups: {style.SUPPRESSED} means {_rule(tables)}.")
    tests = dict.fromkeys(str(t) for t in tables.shown("tests")["test"])
    caveats = [
        (
            "Differences between groups: "
            + "; ".join(_TEST_NAMES.get(t, t.replace("_", " ")) for t in tests)
            + ". P-values are adjusted for the many tests of the report (Benjamini-Hochberg); "
            "pairs of groups are compared with Holm-adjusted tests."
        )
        if tests
        else "Differences between groups: none could be tested (too few respondents in the "
        "groups).",
        "Letters in the workbook's tables: each group has a letter; a share followed by "
        "letters is significantly higher than those groups' shares.",
    ]
    if len(tables.needs):
        caveats.append(
            "Learning needs: Borich's MWDS, importance × (importance − confidence); the "
            "higher, the bigger the need."
        )
    caveats.append(
        "Open answers: coded to themes with the codebook's keyword rules; quotes are scrubbed "
        "of names and contact details."
    )
    flagged = int(tables.flagged.sum()) if len(tables.flagged) else 0
    if flagged:
        caveats.append(f"Data cleaning: {flagged} answers recoded or set to missing.")
    if tables.skipped:
        caveats.append(
            f"Not analysed: {len(tables.skipped)} question"
            f"{'s' if len(tables.skipped) != 1 else ''} kept in the codebook without results ("
            + "; ".join(f"{text}: {reason}" for _, text, reason in tables.skipped[:3])
            + ("; ..." if len(tables.skipped) > 3 else "")
            + ")."
        )
    caveats += [f"{note[0].upper()}{note[1:]}." for note in tables.notes]
    notes = (
        f"Base: n = {tables.analysed} respondents analysed"
        + (f" of {int(received)} received" if received is not None else "")
        + f". {_caveats(tables)}"
    )
    return [
        _Slide(kind=_Kind.BULLETS, title=title, bullets=lines, notes=notes, priority=0)
        for title, lines in (("How the survey was done", bullets), ("Reading the numbers", caveats))
    ]
