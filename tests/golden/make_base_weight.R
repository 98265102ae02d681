## make_base_weight.R -- golden values for the export's own weights (issue #18), from R's survey.
##
## How to run (from the repository root; needs r-cran-survey):
##     Rscript tests/golden/make_base_weight.R
## Inputs (in tests/golden/, written by make_base_weight_data.py):
##     base_weight.csv          respondent_id, sector, region, role, cltp, base_weight (text)
##     base_weight_margins.csv  variable, level, total (the reference codebook's frame)
## The responses whose base_weight is missing, not a number, zero or negative are dropped (the
## toolkit quarantines them); the rest are the analysed respondents. Designs:
##     raked   rake(svydesign(ids = ~1, weights = ~base_weight, data), list(~sector, ~region),
##                  population, control = list(maxit = 50, epsilon = 1))   (the codebook's)
##     fixed   svydesign(ids = ~1, weights = ~base_weight, data)   (no frame: the weights as
##             they are)
## Outputs (numbers with sprintf("%.17g")):
##     base_weight_weights.csv    respondent_id, weight: weights(raked)
##     base_weight_estimates.csv  design, option, by, group, estimate, se: the shares of cltp,
##                                svymean(~cltp) overall (by = all, group = all) and
##                                svyby(~cltp, ~g, svymean) by sector, region and role

## golden.R: gdir, num, write_golden (and the helpers the other scripts use)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE),
                                                  value = TRUE))), "golden.R"))

answers <- read.csv(file.path(gdir, "base_weight.csv"), colClasses = "character",
                    na.strings = character(0))
weight <- suppressWarnings(as.numeric(answers$base_weight))
good <- !is.na(weight) & weight > 0
cat("set aside for a bad weight:", sum(!good), "\n")
data <- answers[good, ]
data$base_weight <- weight[good]
margins <- read.csv(file.path(gdir, "base_weight_margins.csv"), stringsAsFactors = FALSE)
for (v in c("sector", "region", "role", "cltp")) data[[v]] <- factor(data[[v]])

population <- lapply(unique(margins$variable), function(v) {
  m <- margins[margins$variable == v, ]
  out <- data.frame(factor(m$level, levels = levels(data[[v]])), m$total)
  names(out) <- c(v, "Freq")
  out
})
fixed <- svydesign(ids = ~1, weights = ~base_weight, data = data)
raked <- rake(fixed, list(~sector, ~region), population,
              control = list(maxit = 50, epsilon = 1))

write_golden(data.frame(respondent_id = data$respondent_id, weight = weights(raked)),
             "base_weight_weights.csv")

shares <- function(design, name) {
  rows <- list()
  overall <- svymean(~cltp, design)
  rows[[1]] <- data.frame(design = name, option = sub("^cltp", "", names(coef(overall))),
                          by = "all", group = "all", estimate = coef(overall),
                          se = SE(overall))
  for (g in c("sector", "region", "role")) {
    found <- svyby(~cltp, as.formula(paste0("~", g)), design, svymean)
    levels_ <- levels(data$cltp)
    estimate <- as.matrix(found[, paste0("cltp", levels_)])
    se <- as.matrix(found[, paste0("se.cltp", levels_)])
    for (k in seq_along(levels_)) {
      rows[[length(rows) + 1]] <- data.frame(design = name, option = levels_[k], by = g,
                                             group = as.character(found[[g]]),
                                             estimate = estimate[, k], se = se[, k])
    }
  }
  do.call(rbind, rows)
}
write_golden(rbind(shares(raked, "raked"), shares(fixed, "fixed")), "base_weight_estimates.csv")
