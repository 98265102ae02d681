## The R side of bench/engine.py's "r_subset": rake a processed wave to the frame, then the
## weighted top-2 share of each of the 16 importance topics by sector, role and region
## (48 svyby with svyciprop beta intervals) and a Rao-Scott test for each (48 svychisq).
##
##   Rscript bench/engine.R data/processed/2024.csv [RUNS]      (RUNS: default 3)
##
## It reads a CSV export of the processed parquet (R here has no arrow package):
##   python -c "import pandas as pd; pd.read_parquet('data/processed/2024.parquet').to_csv('x.csv', index=False)"
## Frame margins are those of data/raw/codebook.yaml. Prints seconds (min and median of 3).
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
wave <- read.csv(args[1], na.strings = c("", "NA"))
sector <- data.frame(sector = c("public", "academic", "school", "special", "other"),
                     Freq = c(1060, 380, 220, 100, 40))
region <- data.frame(region = c("mainland_southwest", "vancouver_island", "thompson_okanagan",
                                "kootenay", "cariboo", "north_coast", "nechako", "northeast"),
                     Freq = c(940, 360, 230, 90, 70, 40, 40, 30))
topics <- grep("^imp_", names(wave), value = TRUE)
for (t in topics) wave[[paste0(t, "_top2")]] <- as.numeric(wave[[t]] >= 4)
work <- function() {
  wave$w0 <- 1
  d0 <- svydesign(ids = ~1, weights = ~w0, data = wave)
  raked <- rake(d0, list(~sector, ~region), list(sector, region))
  wave$w <- weights(raked)
  d <- svydesign(ids = ~1, weights = ~w, data = wave)
  for (t in topics) for (g in c("sector", "role", "region")) {
    v <- paste0(t, "_top2")
    svyby(as.formula(paste0("~", v)), as.formula(paste0("~", g)), d, svyciprop,
          method = "beta", vartype = "ci", na.rm = TRUE)
    sub <- subset(d, !is.na(get(v)))
    svychisq(as.formula(paste0("~", v, " + ", g)), sub)
  }
}
runs <- if (length(args) > 1) as.integer(args[2]) else 3L
times <- replicate(runs, system.time(work())[["elapsed"]])
cat(sprintf('{"respondents": %d, "r_subset": {"min": %.3f, "median": %.3f}, "r": "%s", "survey": "%s"}\n',
            nrow(wave), min(times), median(times), R.version.string,
            as.character(packageVersion("survey"))))
