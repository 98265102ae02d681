## make_golden.R -- reference ("golden") values from R's survey package.
##
## Generated with: R version 4.2.2 Patched (2022-11-10 r83330), survey 4.1-1
## (Debian packages r-base-core and r-cran-survey).
##
## How to run (from the repository root):
##     Rscript tests/golden/make_golden.R
## Inputs (written by tests/golden/make_data.py):
##     tests/golden/sample.csv   120 respondents (empty cell = missing)
##     tests/golden/margins.csv  population totals for raking
## Outputs (all in tests/golden/, write.csv(row.names = FALSE, quote = FALSE),
## every number written with sprintf("%.17g") so it round-trips exactly;
## NA and NaN are both written as the text NA):
##     rake_weights.csv            id, weight: weights(raked) with
##                                 raked <- rake(d0, list(~sector, ~region),
##                                               list(pop_sector, pop_region))
##                                 default control (maxit = 10, epsilon = 1)
##     rake_weights_converged.csv  id, weight: same rake() with
##                                 control = list(maxit = 100, epsilon = 1e-10)
##     estimates.csv               design, variable, by, group, estimate, se
##                                 svymean(~v, des, na.rm = TRUE) overall
##                                 (by = "all", group = "all") and
##                                 svyby(~v, ~g, des, svymean, na.rm = TRUE) for
##                                 g in sector, region, role; v in travel, imp,
##                                 hours, rare; barrier (factor, one row per
##                                 level, variable = "barrier:<level>");
##                                 imp_top2 = the TRUE column of
##                                 svymean(~I(imp >= 4), des, na.rm = TRUE).
##     ciprop.csv                  design, variable, by, group, estimate,
##                                 ci_low, ci_high
##                                 svyciprop(~v, des, method = "beta",
##                                           na.rm = TRUE) overall and
##                                 svyby(~v, ~g, des, svyciprop, method = "beta",
##                                       vartype = "ci", na.rm = TRUE)
##                                 for v in travel, rare, imp_top2
##                                 (imp_top2 <- as.numeric(imp >= 4)).
##     chisq.csv                   design, variable, by, statistic_type,
##                                 statistic, ndf, ddf, p
##                                 svychisq(~v + g, sub) with
##                                 sub <- subset(des, !is.na(v) & !is.na(g))
##                                 (i.e. each test is built on the complete
##                                 cases of its two variables), for v in barrier,
##                                 travel (as a factor), g in sector, region,
##                                 role.  statistic_type "F": the default
##                                 (Rao-Scott second-order F; statistic = F,
##                                 ndf/ddf = parameter).  statistic_type "Chisq":
##                                 statistic = "Chisq"; note that R reports the
##                                 *unadjusted* Pearson X^2 of
##                                 svytable(..., Ntotal = n) as the statistic and
##                                 computes p from X^2 / mean(diag(Delta)) on
##                                 df = parameter (ndf here; ddf is NA).
## Designs ("design" column):
##     weighted    d  <- svydesign(ids = ~1, weights = ~w, data = sample) with
##                 w = weights(raked) (default-control rake), used as plain
##                 sampling weights (no calibration information kept).
##     unweighted  du <- svydesign(ids = ~1, weights = ~w0, data = sample),
##                 w0 = 1.
## Factors use R's default (alphabetical) level order.

## golden.R: gdir, num, write_golden (and the helpers the later scripts use)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                  value = TRUE))), "golden.R"))

## ------------------------------------------------------------------ data
sample <- read.csv(file.path(gdir, "sample.csv"), na.strings = c("", "NA"),
                   stringsAsFactors = FALSE)
margins <- read.csv(file.path(gdir, "margins.csv"), stringsAsFactors = FALSE)

sample$sector <- factor(sample$sector)
sample$region <- factor(sample$region)
sample$role <- factor(sample$role)
sample$barrier <- factor(sample$barrier)
sample$travel_f <- factor(sample$travel)          # travel as a factor (chisq)
sample$imp_top2 <- as.numeric(sample$imp >= 4)    # for svyciprop
sample$w0 <- 1

msec <- margins[margins$variable == "sector", ]
mreg <- margins[margins$variable == "region", ]
pop_sector <- data.frame(sector = msec$level, Freq = msec$total)
pop_region <- data.frame(region = mreg$level, Freq = mreg$total)


## ------------------------------------------------------------------ raking
d0 <- svydesign(ids = ~1, weights = ~w0, data = sample)
raked <- rake(d0, list(~sector, ~region), list(pop_sector, pop_region))
raked_conv <- rake(d0, list(~sector, ~region), list(pop_sector, pop_region),
                   control = list(maxit = 100, epsilon = 1e-10))

write_golden(data.frame(id = sample$id, weight = weights(raked)),
             "rake_weights.csv")
write_golden(data.frame(id = sample$id, weight = weights(raked_conv)),
             "rake_weights_converged.csv")

## Number of raking passes (one pass = post-stratify on sector, then region)
## that rake() performed: the smallest maxit that gives no "did not converge"
## warning.
passes <- function(epsilon) {
  for (k in 1:200) {
    ok <- tryCatch({
      rake(d0, list(~sector, ~region), list(pop_sector, pop_region),
           control = list(maxit = k, epsilon = epsilon))
      TRUE
    }, warning = function(w) FALSE)
    if (ok) return(k)
  }
  NA
}
cat("raking passes, default control (epsilon = 1):", passes(1), "\n")
cat("raking passes, epsilon = 1e-10:", passes(1e-10), "\n")
cat("max |default - converged| weight difference:",
    num(max(abs(weights(raked) - weights(raked_conv)))), "\n")

## ------------------------------------------------------------------ designs
sample$w <- weights(raked)
d <- svydesign(ids = ~1, weights = ~w, data = sample)
du <- svydesign(ids = ~1, weights = ~w0, data = sample)
designs <- list(weighted = d, unweighted = du)
bys <- c("sector", "region", "role")

## ------------------------------------------------------------------ estimates
## `keep` maps svymean's column names to output variable names.
est_rows <- function(dname, des, formula, keep) {
  out <- list()
  m <- svymean(formula, des, na.rm = TRUE)
  mse <- setNames(SE(m), names(coef(m)))   # SE() drops names for 1 column
  for (k in names(keep)) {
    out[[length(out) + 1]] <- data.frame(
      design = dname, variable = keep[[k]], by = "all", group = "all",
      estimate = unname(coef(m)[k]), se = unname(mse[k]))
  }
  for (g in bys) {
    r <- svyby(formula, as.formula(paste0("~", g)), des, svymean,
               na.rm = TRUE)
    groups <- as.character(r[[g]])
    cf <- coef(r)
    se <- as.matrix(SE(r))
    for (k in names(keep)) {
      ## coef names are "group:stat" when there are several statistics
      est <- if (length(keep) == 1 && ncol(se) == 1) cf[groups]
             else cf[paste0(groups, ":", k)]
      sek <- if (ncol(se) == 1) se[, 1] else se[, paste0("se.", k)]
      out[[length(out) + 1]] <- data.frame(
        design = dname, variable = keep[[k]], by = g, group = groups,
        estimate = unname(est), se = unname(sek))
    }
  }
  do.call(rbind, out)
}

est <- list()
for (dname in names(designs)) {
  des <- designs[[dname]]
  for (v in c("travel", "imp", "hours", "rare")) {
    est[[length(est) + 1]] <- est_rows(dname, des, as.formula(paste0("~", v)),
                                       setNames(list(v), v))
  }
  blev <- levels(sample$barrier)
  est[[length(est) + 1]] <- est_rows(
    dname, des, ~barrier,
    setNames(as.list(paste0("barrier:", blev)), paste0("barrier", blev)))
  est[[length(est) + 1]] <- est_rows(
    dname, des, ~I(imp >= 4), list(`I(imp >= 4)TRUE` = "imp_top2"))
}
est <- do.call(rbind, est)
stopifnot(!anyNA(est$estimate), !anyNA(est$se))
write_golden(est, "estimates.csv")

## ------------------------------------------------------------------ svyciprop
ci <- list()
for (dname in names(designs)) {
  des <- designs[[dname]]
  for (v in c("travel", "rare", "imp_top2")) {
    f <- as.formula(paste0("~", v))
    p <- svyciprop(f, des, method = "beta", na.rm = TRUE)
    cil <- attr(p, "ci")
    ci[[length(ci) + 1]] <- data.frame(
      design = dname, variable = v, by = "all", group = "all",
      estimate = as.numeric(p), ci_low = cil[1], ci_high = cil[2])
    for (g in bys) {
      r <- svyby(f, as.formula(paste0("~", g)), des, svyciprop,
                 method = "beta", vartype = "ci", na.rm = TRUE)
      ci[[length(ci) + 1]] <- data.frame(
        design = dname, variable = v, by = g, group = as.character(r[[g]]),
        estimate = r[[v]], ci_low = r$ci_l, ci_high = r$ci_u)
    }
  }
}
ci <- do.call(rbind, ci)
rownames(ci) <- NULL
write_golden(ci, "ciprop.csv")

## ------------------------------------------------------------------ svychisq
## Each test is run on subset(des, !is.na(v) & !is.na(g)).
chi <- list()
for (dname in names(designs)) {
  des <- designs[[dname]]
  for (v in c("barrier", "travel")) {
    vv <- if (v == "travel") "travel_f" else v
    for (g in bys) {
      sub <- eval(bquote(subset(des, !is.na(.(as.name(vv))) &
                                     !is.na(.(as.name(g))))))
      f <- as.formula(paste0("~", vv, " + ", g))
      tF <- svychisq(f, sub)
      tC <- svychisq(f, sub, statistic = "Chisq")
      chi[[length(chi) + 1]] <- data.frame(
        design = dname, variable = v, by = g, statistic_type = "F",
        statistic = unname(tF$statistic),
        ndf = unname(tF$parameter["ndf"]), ddf = unname(tF$parameter["ddf"]),
        p = tF$p.value)
      chi[[length(chi) + 1]] <- data.frame(
        design = dname, variable = v, by = g, statistic_type = "Chisq",
        statistic = unname(tC$statistic),
        ndf = unname(tC$parameter["df"]), ddf = NA_real_,
        p = tC$p.value)
    }
  }
}
chi <- do.call(rbind, chi)
write_golden(chi, "chisq.csv")

## ------------------------------------------------------------------ Wald F of group means
## A number by a breakdown: svyglm(hours ~ g) on the respondents with both, then
## regTermTest(m, ~g) (Wald, F on ndf = levels - 1 and ddf = the model's residual df).
wald <- list()
for (dname in names(designs)) {
  des <- designs[[dname]]
  for (g in bys) {
    sub <- eval(bquote(subset(des, !is.na(hours) & !is.na(.(as.name(g))))))
    m <- svyglm(as.formula(paste0("hours ~ ", g)), sub)
    t <- regTermTest(m, as.formula(paste0("~", g)))
    wald[[length(wald) + 1]] <- data.frame(
      design = dname, variable = "hours", by = g,
      statistic = as.numeric(t$Ftest), ndf = as.numeric(t$df),
      ddf = as.numeric(t$ddf), p = as.numeric(t$p))
  }
}
wald <- do.call(rbind, wald)
write_golden(wald, "wald.csv")

## ------------------------------------------------------------------ change between two waves
## The sample split into two independent "waves": ids 1-60 are wave a, 61-120 wave b. Each
## wave's estimate is its own svymean/svyby (its own design); the change b - a is tested in
## the stacked design with the wave as stratum (two independent samples):
##   ds <- svydesign(ids = ~1, strata = ~wave, weights = ~w, data = sample)
##   svycontrast(svyby(~v, ~wave, subset(ds, group & !is.na(v)), svymean, covmat = TRUE),
##               c(-1, 1))
## with z = contrast / SE and p = 2 pnorm(-|z|). For the unweighted design a share's change
## is also tested with prop.test(x, n, correct = FALSE) (the pooled two-proportion z test,
## chi-square = z^2): `p_prop`.
sample$wave <- factor(ifelse(sample$id <= 60, "a", "b"))
stacked <- list(
  weighted = svydesign(ids = ~1, strata = ~wave, weights = ~w, data = sample),
  unweighted = svydesign(ids = ~1, strata = ~wave, weights = ~w0, data = sample))
change <- list()
for (dname in names(stacked)) {
  des <- stacked[[dname]]
  for (v in c("travel", "imp_top2", "hours", "imp")) {
    for (g in c("all", bys)) {
      levels_g <- if (g == "all") "all" else levels(sample[[g]])
      for (level in levels_g) {
        sub <- if (g == "all") des else
          eval(bquote(subset(des, .(as.name(g)) == .(level))))
        ## svyby(covmat = TRUE) cannot take na.rm: subset to the answers instead (a
        ## subset design keeps every row's place, as svymean's na.rm does)
        sub <- eval(bquote(subset(sub, !is.na(.(as.name(v))))))
        r <- svyby(as.formula(paste0("~", v)), ~wave, sub, svymean, covmat = TRUE)
        k <- svycontrast(r, c(-1, 1))
        z <- as.numeric(coef(k)) / as.numeric(SE(k))
        p_prop <- NA_real_
        if (dname == "unweighted" && v %in% c("travel", "imp_top2")) {
          rows <- sample[!is.na(sample[[v]]) &
                         (if (g == "all") TRUE else sample[[g]] == level), ]
          x <- tapply(rows[[v]], rows$wave, sum)
          n <- tapply(rows[[v]], rows$wave, length)
          p_prop <- suppressWarnings(prop.test(x, n, correct = FALSE)$p.value)
        }
        change[[length(change) + 1]] <- data.frame(
          design = dname, variable = v, by = g, group = level,
          estimate_a = unname(coef(r)[1]), estimate_b = unname(coef(r)[2]),
          change = as.numeric(coef(k)), se = as.numeric(SE(k)),
          p = 2 * pnorm(-abs(z)), p_prop = p_prop)
      }
    }
  }
}
change <- do.call(rbind, change)
write_golden(change, "change.csv")
