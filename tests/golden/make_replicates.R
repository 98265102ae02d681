## make_replicates.R -- golden values for replicate-weight variances (issue #18), from R's survey.
##
## How to run (from the repository root; needs r-cran-survey):
##     Rscript tests/golden/make_replicates.R
## Inputs (in tests/golden/): sample.csv, margins.csv (make_data.py) and demo_2026.csv,
## demo_margins.csv (make_raked_data.py), as make_raked.R.
## Designs, for each data set (rake() with control = list(maxit = 50, epsilon = 1)):
##     jk1        rake(as.svrepdesign(svydesign(ids = ~1, weights = ~1, data), type = "JK1"),
##                     margins, population)
##     jk1_fpc    the same from svydesign(ids = ~1, fpc = ~N, data), N the frame's total
##     bootstrap  the same with type = "bootstrap", replicates = 1000, after set.seed(18)
##                (R's draws: our bootstrap is compared within Monte Carlo error)
## R's default options(survey.replicates.mse = FALSE): replicates centred on their mean.
## Outputs (numbers with sprintf("%.17g"); NA written as NA):
##     replicate_estimates.csv  data, design, variable, by, group, estimate, se
##                              svymean / svyby(..., svymean, na.rm = TRUE), as make_raked.R
##     replicate_ciprop.csv     data, design, variable, by, group, estimate, ci_low, ci_high
##                              svyciprop(method = "beta") (degrees of freedom: degf of the
##                              group's replicate design)
##     replicate_weights.csv    data, design, replicate, respondent, weight: the first 3
##                              replicates' raked weights of the sample (JK1 and JK1 with fpc)
##     replicate_scale.csv      data, design, replicates, scale: each design's scale (rscales 1)
##     replicate_domain_estimates.csv, replicate_domain_ciprop.csv, replicate_domain_mwds.csv
##                              as make_raked.R's raked_domain_*.csv, of the demo's JK1 design:
##                              subset(jk1, sector == "public") (data = demo_public), by region
##                              and role (the dashboard's filtered view under JK1)

## golden.R: gdir, num, write_golden, read_golden, population_margins, estimates, ciprop
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                  value = TRUE))), "golden.R"))
stopifnot(!isTRUE(getOption("survey.replicates.mse")))

designs <- function(data, margins) {
  names_ <- unique(margins$variable)
  raked <- raking(data, margins)
  data <- attr(raked, "data")
  plain <- svydesign(ids = ~1, weights = ~1, data = data)
  ## a replicate that draws nobody from a margin's category cannot be raked (R stops): the
  ## first seed from 18 whose replicates all can
  seed <- 18
  repeat {
    set.seed(seed)
    boot <- as.svrepdesign(plain, type = "bootstrap", replicates = 1000)
    drawn <- as.matrix(boot$repweights)
    empty <- any(sapply(names_, function(v) any(rowsum(drawn, data[[v]]) == 0)))
    if (!empty) break
    seed <- seed + 1
  }
  cat("bootstrap seed", seed, "\n")
  list(
    jk1 = raked(as.svrepdesign(plain, type = "JK1")),
    jk1_fpc = raked(as.svrepdesign(svydesign(ids = ~1, fpc = ~N, data = data), type = "JK1")),
    bootstrap = suppressWarnings(raked(boot))
  )
}

est <- list(); ci <- list(); wts <- list(); scl <- list(); chi <- list(); wal <- list()
mw <- list(); dif <- list()
dom <- list(); domci <- list(); dommw <- list()
run <- function(dataset, data, margins, variables, shares, tested) {
  ds <- designs(data, margins)
  for (d in names(ds)) {
    des <- ds[[d]]
    scl[[length(scl) + 1]] <<- data.frame(data = dataset, design = d,
                                          replicates = ncol(des$repweights), scale = des$scale)
    for (v in variables) {
      est[[length(est) + 1]] <<- estimates(dataset, d, des, v, c("sector", "region", "role"))
    }
    if (d != "bootstrap") for (v in shares) {
      ci[[length(ci) + 1]] <<- ciprop(dataset, d, des, v, c("sector", "region", "role"))
    }
    if (dataset == "demo" && d != "bootstrap") for (g in c("all", "sector", "region", "role")) {
      mw[[length(mw) + 1]] <<- mwds(dataset, d, des, g)
    }
    if (d != "bootstrap") for (g in c("sector", "region", "role")) {
      dif[[length(dif) + 1]] <<- differences(dataset, d, des, shares[1], g)
      chi[[length(chi) + 1]] <<- chisq(dataset, d, des, tested[1], g)
      wal[[length(wal) + 1]] <<- wald(dataset, d, des, tested[2], g)
    }
    if (dataset == "demo" && d == "jk1") {
      ## the public sector as a domain of the JK1 design (the dashboard's filtered view)
      public <- subset(des, sector == "public")
      for (v in variables) {
        dom[[length(dom) + 1]] <<- estimates("demo_public", d, public, v, c("region", "role"))
      }
      domci[[length(domci) + 1]] <<- ciprop("demo_public", d, public, shares[1],
                                            c("region", "role"))
      for (g in c("all", "region", "role")) {
        dommw[[length(dommw) + 1]] <<- mwds("demo_public", d, public, g)
      }
    }
    if (dataset == "sample" && d != "bootstrap") {
      w <- weights(des, "analysis")[, 1:3]
      wts[[length(wts) + 1]] <<- data.frame(
        data = dataset, design = d, replicate = rep(1:3, each = nrow(w)),
        respondent = rep(seq_len(nrow(w)), 3), weight = as.vector(w))
    }
  }
}

sample <- read_golden("sample.csv")
sample$barrier <- factor(sample$barrier)
sample$imp_top2 <- as.numeric(sample$imp >= 4)
run("sample", sample, read_golden("margins.csv"),
    c("travel", "imp", "hours", "rare", "barrier", "imp_top2"), c("travel", "rare", "imp_top2"),
    c("barrier", "hours"))

demo <- read_golden("demo_2026.csv")
demo$paid_time <- factor(demo$paid_time)
run("demo", demo, read_golden("demo_margins.csv"),
    c("paid_time", "employer_support", "cpd_hours", "barriers__time"), c("barriers__time"),
    c("paid_time", "cpd_hours"))

write_goldens("replicate_", list(estimates = est, ciprop = ci, weights = wts, scale = scl,
                                 chisq = chi, wald = wal, mwds = mw, differences = dif))
write_goldens("replicate_domain_", list(estimates = dom, ciprop = domci, mwds = dommw))
