## make_raked.R -- golden values for variances under raking (issue #18), from R's survey.
##
## How to run (from the repository root; needs r-cran-survey):
##     Rscript tests/golden/make_raked.R
## Inputs (in tests/golden/):
##     sample.csv, margins.csv          (make_data.py; also used by make_golden.R)
##     demo_2026.csv, demo_margins.csv  (make_raked_data.py: the demo's 2026 wave)
##     random_designs.csv, random_margins.csv  (make_raked_data.py: 12 random designs)
## Designs, for each data set:
##     raked      rake(svydesign(ids = ~1, weights = ~1, data), margins, population)
##     raked_fpc  rake(svydesign(ids = ~1, fpc = ~N, data), margins, population),
##                N the frame's total (the first margin's sum)
## rake() is called with control = list(maxit = 50, epsilon = 1) (the demo codebook's).
## Outputs (numbers with sprintf("%.17g"); NA and NaN written as NA):
##     raked_estimates.csv  data, design, variable, by, group, estimate, se
##                          svymean / svyby(..., svymean, na.rm = TRUE) of each variable
##                          overall (by = all) and by each grouping; a factor gives a row per
##                          level (variable = "name:level").
##     raked_ciprop.csv     data, design, variable, by, group, estimate, ci_low, ci_high
##                          svyciprop(method = "beta") of the 0/1 variables
##     raked_chisq.csv      data, design, variable, by, statistic, ndf, ddf, p
##                          svychisq(~v + g, subset(des, !is.na(v) & !is.na(g))), default F
##     raked_wald.csv       data, design, variable, by, statistic, ndf, ddf, p
##                          regTermTest(svyglm(y ~ g, subset(des, !is.na(y) & !is.na(g))), ~g)
##     raked_mwds.csv       data, design, by, group, mwds, se: Borich's mean weighted discrepancy
##                          score of imp_leadership and comp_leadership, svycontrast(
##                          svymean(~gap + imp, subset(des, group & answered both)),
##                          quote(gap * imp)), gap = imp - comp
##     raked_differences.csv  data, design, variable, by, group, other, difference, se
##                          every pair of groups: svycontrast of the group means, the
##                          coefficients of svyglm(v ~ 0 + g, subset(des, !is.na(v) & !is.na(g)))
##     raked_domain_estimates.csv  as raked_estimates.csv, of the demo's public sector as a
##                          domain of the whole raked wave: svymean / svyby of
##                          subset(des, sector == "public") (data = demo_public), by region and
##                          role (what the dashboard shows for the filter sector = public)
##     raked_domain_ciprop.csv  as raked_ciprop.csv, of the same domain
##     raked_domain_mwds.csv  as raked_mwds.csv, of the same domain (overall, by region and role)
##     raked_domain_differences.csv  as raked_differences.csv, of the same domain
##                          (barriers__time by region and role)

## golden.R: gdir, num, write_golden, read_golden, population_margins, estimates, ciprop
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                  value = TRUE))), "golden.R"))

## the two designs of a data set raked to its margins (data frame variable, level, total)
designs <- function(data, margins) {
  raked <- raking(data, margins)
  data <- attr(raked, "data")
  list(
    raked = raked(svydesign(ids = ~1, weights = ~1, data = data)),
    raked_fpc = raked(svydesign(ids = ~1, fpc = ~N, data = data))
  )
}



est <- list(); ci <- list(); chi <- list(); wal <- list(); dif <- list(); mw <- list()

## the 120 respondents of make_golden.R
sample <- read_golden("sample.csv")
sample$barrier <- factor(sample$barrier)
sample$imp_top2 <- as.numeric(sample$imp >= 4)
for (d in names(ds <- designs(sample, read_golden("margins.csv")))) {
  for (v in c("travel", "imp", "hours", "rare", "barrier", "imp_top2")) {
    est[[length(est) + 1]] <- estimates("sample", d, ds[[d]], v, c("sector", "region", "role"))
  }
  for (v in c("travel", "rare", "imp_top2")) {
    ci[[length(ci) + 1]] <- ciprop("sample", d, ds[[d]], v, c("sector", "region", "role"))
  }
  for (g in c("sector", "region", "role")) {
    dif[[length(dif) + 1]] <- differences("sample", d, ds[[d]], "travel", g)
    chi[[length(chi) + 1]] <- chisq("sample", d, ds[[d]], "barrier", g)
    wal[[length(wal) + 1]] <- wald("sample", d, ds[[d]], "hours", g)
  }
}

## the demo's 2026 wave
demo <- read_golden("demo_2026.csv")
demo$paid_time <- factor(demo$paid_time)
for (d in names(ds <- designs(demo, read_golden("demo_margins.csv")))) {
  for (v in c("paid_time", "employer_support", "cpd_hours", "barriers__time")) {
    est[[length(est) + 1]] <- estimates("demo", d, ds[[d]], v, c("sector", "region", "role"))
  }
  ci[[length(ci) + 1]] <- ciprop("demo", d, ds[[d]], "barriers__time",
                                 c("sector", "region", "role"))
  for (g in c("all", "sector", "region", "role")) mw[[length(mw) + 1]] <- mwds("demo", d, ds[[d]], g)
  for (g in c("sector", "region", "role")) {
    dif[[length(dif) + 1]] <- differences("demo", d, ds[[d]], "barriers__time", g)
    chi[[length(chi) + 1]] <- chisq("demo", d, ds[[d]], "paid_time", g)
    wal[[length(wal) + 1]] <- wald("demo", d, ds[[d]], "cpd_hours", g)
  }
}

## the demo's public sector as a domain of the raked wave (the dashboard's filtered view)
dom <- list(); domci <- list(); dommw <- list(); domdif <- list()
for (d in names(ds)) {
  public <- subset(ds[[d]], sector == "public")
  for (v in c("paid_time", "employer_support", "cpd_hours", "barriers__time")) {
    dom[[length(dom) + 1]] <- estimates("demo_public", d, public, v, c("region", "role"))
  }
  domci[[length(domci) + 1]] <- ciprop("demo_public", d, public, "barriers__time",
                                       c("region", "role"))
  for (g in c("all", "region", "role")) {
    dommw[[length(dommw) + 1]] <- mwds("demo_public", d, public, g)
    if (g != "all") {
      domdif[[length(domdif) + 1]] <- differences("demo_public", d, public, "barriers__time", g)
    }
  }
}

## random designs
random <- read_golden("random_designs.csv")
random_margins <- read_golden("random_margins.csv")
for (k in sort(unique(random$design))) {
  data <- random[random$design == k, ]
  data$x <- factor(data$x)
  name <- paste0("random", k)
  for (d in names(ds <- designs(data, random_margins[random_margins$design == k, ]))) {
    for (v in c("y", "x")) est[[length(est) + 1]] <- estimates(name, d, ds[[d]], v, c("g", "a"))
    chi[[length(chi) + 1]] <- chisq(name, d, ds[[d]], "x", "g")
    wal[[length(wal) + 1]] <- wald(name, d, ds[[d]], "y", "g")
  }
}

write_goldens("raked_", list(estimates = est, ciprop = ci, chisq = chi, wald = wal,
                             differences = dif, mwds = mw))
write_goldens("raked_domain_", list(estimates = dom, ciprop = domci, mwds = dommw,
                                    differences = domdif))
