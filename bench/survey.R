## The R side of bench/harness.py's "r_subset", called by `survey bench --with-r`: rake a
## processed wave to the frame margins, then the weighted top-2 share of each importance topic
## by sector, role and region (svyby with svyciprop beta intervals) and a Rao-Scott test for
## each (svychisq, its default F statistic), timed RUNS times; the numbers of the last run are
## written to NUMBERS (topic, by, group, kind = estimate | se | p, value) for the harness to
## compare with Python's.
##
##   Rscript bench/survey.R PROCESSED.csv MARGINS.csv [RUNS [NUMBERS.csv [EPSILON [MAXIT]]]]
##
## MARGINS.csv: variable, level, Freq (the codebook's frame). EPSILON and MAXIT are rake()'s
## control (the codebook's weighting: epsilon 1, maxit 10 by default, as R's).
## Prints one JSON line: {"respondents", "r_subset": {"min", "median"}, "r", "survey"}.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
wave <- read.csv(args[1], na.strings = c("", "NA"))
margins <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
runs <- if (length(args) > 2) as.integer(args[3]) else 3L
numbers_file <- if (length(args) > 3) args[4] else ""
epsilon <- if (length(args) > 4) as.numeric(args[5]) else 1
maxit <- if (length(args) > 5) as.integer(args[6]) else 10L

dims <- unique(margins$variable)
population <- lapply(dims, function(v) {
  m <- margins[margins$variable == v, ]
  out <- data.frame(m$level, m$Freq)
  names(out) <- c(v, "Freq")
  out
})
sample_margins <- lapply(dims, function(v) as.formula(paste0("~", v)))
for (v in c(dims, "sector", "role", "region")) wave[[v]] <- as.character(wave[[v]])
topics <- grep("^imp_", names(wave), value = TRUE)
for (t in topics) wave[[paste0(t, "_top2")]] <- as.numeric(wave[[t]] >= 4)
breakdowns <- c("sector", "role", "region")

work <- function(keep = FALSE) {
  wave$w0 <- 1
  d0 <- svydesign(ids = ~1, weights = ~w0, data = wave)
  raked <- rake(d0, sample_margins, population, control = list(maxit = maxit, epsilon = epsilon))
  wave$w <- weights(raked)
  d <- svydesign(ids = ~1, weights = ~w, data = wave)
  rows <- list()
  for (t in topics) for (g in breakdowns) {
    v <- paste0(t, "_top2")
    by <- svyby(as.formula(paste0("~", v)), as.formula(paste0("~", g)), d, svyciprop,
                method = "beta", vartype = c("se", "ci"), na.rm = TRUE)
    sub <- subset(d, !is.na(get(v)) & !is.na(get(g)))
    test <- svychisq(as.formula(paste0("~", v, " + ", g)), sub)
    if (keep) {
      groups <- as.character(by[[g]])
      rows[[length(rows) + 1]] <- data.frame(topic = t, by = g, group = groups,
                                             kind = "estimate", value = unname(coef(by)))
      rows[[length(rows) + 1]] <- data.frame(topic = t, by = g, group = groups,
                                             kind = "se", value = unname(SE(by)))
      rows[[length(rows) + 1]] <- data.frame(topic = t, by = g, group = "",
                                             kind = "p", value = unname(test$p.value))
    }
  }
  if (keep) do.call(rbind, rows) else NULL
}
times <- replicate(runs, system.time(work())[["elapsed"]])
if (nzchar(numbers_file)) {
  write.csv(work(keep = TRUE), numbers_file, row.names = FALSE)
}
cat(sprintf('{"respondents": %d, "r_subset": {"min": %.4f, "median": %.4f}, "r": "%s", "survey": "%s"}\n',
            nrow(wave), min(times), median(times), R.version.string,
            as.character(packageVersion("survey"))))
