## golden.R -- what the scripts that make golden values share (sourced, not run alone):
## where the golden files are, how numbers are written, the frame's margins as rake() takes
## them, and svymean / svyciprop rows overall and by group.

options(digits = 17)
suppressMessages(library(survey))

## tests/golden/, from the path of the script that sources this file (so it runs from anywhere)
args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", args[grep("^--file=", args)])
gdir <- if (length(file_arg)) dirname(normalizePath(file_arg)) else "tests/golden"
cat("R:", R.version.string, "\n")
cat("survey:", packageDescription("survey")$Version, "\n")

## every number with 17 significant digits (round-trips to float64); NA and NaN alike as NA
num <- function(x) {
  x <- as.numeric(x)
  out <- sprintf("%.17g", x)
  out[is.na(x)] <- "NA"
  out
}

write_golden <- function(df, name) {
  rownames(df) <- NULL
  for (j in seq_along(df)) {
    if (is.numeric(df[[j]])) df[[j]] <- num(df[[j]])
    stopifnot(!any(grepl("[,\"]", df[[j]])))
  }
  write.csv(df, file.path(gdir, name), row.names = FALSE, quote = FALSE)
  cat(sprintf("wrote %-28s %5d rows\n", name, nrow(df)))
}

## each table (a list of data frames, by name) as <prefix><name>.csv
write_goldens <- function(prefix, tables) {
  for (name in names(tables)) {
    write_golden(do.call(rbind, tables[[name]]), paste0(prefix, name, ".csv"))
  }
}

read_golden <- function(name) {
  read.csv(file.path(gdir, name), na.strings = c("", "NA"), stringsAsFactors = FALSE)
}

## margins (variable, level, and the count in column `count`) as rake()'s population.margins
population_margins <- function(margins, count = "total") {
  lapply(unique(margins$variable), function(v) {
    m <- margins[margins$variable == v, ]
    out <- data.frame(m$level, m[[count]])
    names(out) <- c(v, "Freq")
    out
  })
}

## a function raking a design of `data` to `margins` (variable, level, total) as the toolkit
## does for these goldens (rake() with control = list(maxit = 50, epsilon = 1)); its
## attribute "data" is `data` with N, the frame's total (the first margin's sum), for fpc = ~N
raking <- function(data, margins) {
  names_ <- unique(margins$variable)
  population <- population_margins(margins)
  formulas <- lapply(names_, function(v) as.formula(paste0("~", v)))
  data$N <- sum(margins$total[margins$variable == names_[1]])
  out <- function(design) rake(design, formulas, population,
                               control = list(maxit = 50, epsilon = 1))
  attr(out, "data") <- data
  out
}

## svymean of v overall (by = all) and svyby(..., svymean, na.rm = TRUE) by each of bys; a
## factor gives a row per level (variable = "name:level")
estimates <- function(dataset, dname, des, v, bys) {
  out <- list()
  f <- as.formula(paste0("~", v))
  m <- suppressWarnings(svymean(f, des, na.rm = TRUE))
  labels <- names(coef(m))
  out[[1]] <- data.frame(data = dataset, design = dname, variable = labels, by = "all",
                         group = "all", estimate = unname(coef(m)), se = unname(SE(m)))
  for (g in bys) {
    r <- suppressWarnings(svyby(f, as.formula(paste0("~", g)), des, svymean, na.rm = TRUE))
    groups <- as.character(r[[g]])
    se <- as.matrix(SE(r))
    for (k in seq_along(labels)) {
      ## coef names are "group:statistic" when there are several statistics
      estimate <- if (length(labels) == 1) coef(r)[groups]
                  else coef(r)[paste0(groups, ":", labels[k])]
      out[[length(out) + 1]] <- data.frame(
        data = dataset, design = dname, variable = labels[k], by = g,
        group = groups, estimate = unname(estimate), se = unname(se[, k]))
    }
  }
  out <- do.call(rbind, out)
  out$variable <- ifelse(out$variable == v, v, sub(paste0("^", v), paste0(v, ":"), out$variable))
  out
}

## svyciprop(method = "beta") of v overall and by each of bys
ciprop <- function(dataset, dname, des, v, bys) {
  f <- as.formula(paste0("~", v))
  p <- svyciprop(f, des, method = "beta", na.rm = TRUE)
  out <- list(data.frame(data = dataset, design = dname, variable = v, by = "all",
                         group = "all", estimate = as.numeric(p), ci_low = attr(p, "ci")[1],
                         ci_high = attr(p, "ci")[2]))
  for (g in bys) {
    r <- svyby(f, as.formula(paste0("~", g)), des, svyciprop, method = "beta",
               vartype = "ci", na.rm = TRUE)
    out[[length(out) + 1]] <- data.frame(
      data = dataset, design = dname, variable = v, by = g, group = as.character(r[[g]]),
      estimate = r[[v]], ci_low = r$ci_l, ci_high = r$ci_u)
  }
  do.call(rbind, out)
}

## svychisq(~v + g) (default F) on the respondents who answered both
chisq <- function(dataset, dname, des, v, g) {
  keep <- !is.na(des$variables[[v]]) & !is.na(des$variables[[g]])
  t <- svychisq(as.formula(paste0("~", v, "+", g)), subset(des, keep))
  data.frame(data = dataset, design = dname, variable = v, by = g,
             statistic = unname(t$statistic), ndf = unname(t$parameter[1]),
             ddf = unname(t$parameter[2]), p = unname(t$p.value))
}

## regTermTest(svyglm(y ~ g), ~g) on the respondents who answered both
wald <- function(dataset, dname, des, y, g) {
  keep <- !is.na(des$variables[[y]]) & !is.na(des$variables[[g]])
  fit <- svyglm(as.formula(paste0(y, "~", g)), subset(des, keep))
  t <- regTermTest(fit, as.formula(paste0("~", g)))
  data.frame(data = dataset, design = dname, variable = y, by = g,
             statistic = unname(t$Ftest), ndf = unname(t$df), ddf = unname(t$ddf),
             p = unname(t$p))
}

## Borich's MWDS of imp_leadership and comp_leadership and its SE, overall or in each group of g
mwds <- function(dataset, dname, des, g) {
  des <- update(des, gap = imp_leadership - comp_leadership, imp = imp_leadership)
  paired <- !is.na(des$variables$gap)
  groups <- if (g == "all") "all" else sort(unique(as.character(des$variables[[g]])))
  out <- list()
  for (group in groups) {
    member <- if (g == "all") paired else paired & des$variables[[g]] == group
    m <- svymean(~gap + imp, subset(des, member), na.rm = TRUE)
    score <- svycontrast(m, quote(gap * imp))
    out[[length(out) + 1]] <- data.frame(data = dataset, design = dname, by = g, group = group,
                                         mwds = unname(coef(score)), se = unname(SE(score)))
  }
  do.call(rbind, out)
}

## every pair of groups' difference of v's mean and its SE
differences <- function(dataset, dname, des, v, g) {
  keep <- !is.na(des$variables[[v]]) & !is.na(des$variables[[g]])
  if (inherits(des, "svyrep.design")) {
    ## the group means and their covariance from the replicates (svycontrast of a svrepglm
    ## stops in survey 4.1-1)
    means <- svyby(as.formula(paste0("~", v)), as.formula(paste0("~", g)), subset(des, keep),
                   svymean, covmat = TRUE)
    groups <- as.character(means[[g]])
  } else {
    ## svyby(..., covmat = TRUE) stops on a calibrated design in survey 4.1-1; the group
    ## means are the coefficients of svyglm(v ~ 0 + g), with the same linearised covariance
    means <- svyglm(as.formula(paste0(v, " ~ 0 + ", g)), subset(des, keep))
    groups <- sub(paste0("^", g), "", names(coef(means)))
  }
  out <- list()
  for (a in seq_along(groups)) for (b in seq_along(groups)) if (a < b) {
    weights <- numeric(length(groups)); weights[a] <- 1; weights[b] <- -1
    d <- svycontrast(means, weights)
    out[[length(out) + 1]] <- data.frame(
      data = dataset, design = dname, variable = v, by = g, group = groups[a],
      other = groups[b], difference = unname(coef(d)), se = unname(SE(d)))
  }
  do.call(rbind, out)
}
