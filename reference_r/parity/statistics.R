# R reference for h2osweep's statistics: lm / cor on a table with a categorical column and
# missing values (after the blog's preprocessing), loess with ggplot's defaults, and mgcv's gam
# on the lecture's formula.
#
# Usage: Rscript reference_r/parity/statistics.R [INPUT_DIR [OUTPUT_DIR]]
# Defaults: both reference_r/expected. Doubles are written with sprintf("%.17g").
suppressPackageStartupMessages(library(mgcv))

args <- commandArgs(trailingOnly = TRUE)
input_dir <- if (length(args) >= 1) args[1] else "reference_r/expected"
output_dir <- if (length(args) >= 2) args[2] else input_dir
dir.create(output_dir, showWarnings = FALSE, recursive = TRUE)

g17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

write_table <- function(frame, name) {
  for (col in names(frame)) if (is.numeric(frame[[col]])) frame[[col]] <- g17(frame[[col]])
  write.csv(frame, file.path(output_dir, name), row.names = FALSE, quote = TRUE)
}

# --- the blog's preprocessing, as h2osweep.analysis.preprocess does it -----------------------
prepare <- function(d, target) {
  d <- d[!is.na(d[[target]]), , drop = FALSE]
  for (col in setdiff(names(d), target)) {
    x <- d[[col]]
    if (is.numeric(x)) {
      x[is.na(x)] <- mean(x, na.rm = TRUE)
    } else {
      counts <- table(x)                        # levels sorted; which.max takes the first tie
      x[is.na(x)] <- names(counts)[which.max(counts)]
      x <- factor(x)
    }
    d[[col]] <- x
  }
  d
}

# --- OLS and correlations ----------------------------------------------------------------------
runs <- read.csv(file.path(input_dir, "stats_input.csv"), na.strings = c("", "NA"),
                 stringsAsFactors = FALSE)
d <- prepare(runs, "val_acc")
fit <- lm(val_acc ~ ., data = d)
co <- summary(fit)$coefficients
write_table(data.frame(term = rownames(co), coef = co[, 1], std_err = co[, 2], t = co[, 3],
                       p_value = co[, 4]), "ols_stats_input.csv")

terms <- c(); values <- c()
for (col in setdiff(names(d), "val_acc")) {
  if (is.factor(d[[col]])) {
    for (level in levels(d[[col]])) {
      terms <- c(terms, paste0(col, "_", level))
      values <- c(values, cor(as.numeric(d[[col]] == level), d$val_acc))
    }
  } else {
    terms <- c(terms, col)
    values <- c(values, cor(d[[col]], d$val_acc))
  }
}
write_table(data.frame(term = terms, correlation = values), "cor_stats_input.csv")

# --- loess with ggplot's stat_smooth defaults (span .75, degree 2, gaussian, n = 80) ----------
lecture <- read.csv(file.path(input_dir, "stats_lecture_input.csv"))
curves <- list()
for (col in c("l1", "input_dropout", "SumNeurons", "MeanHiddenDropout")) {
  x <- lecture[[col]]
  model <- loess(lecture$test_mse ~ x, span = 0.75)
  grid <- seq(min(x), max(x), length.out = 80)
  p <- predict(model, data.frame(x = grid), se = TRUE)
  curves[[col]] <- data.frame(variable = col, x = grid, fit = p$fit, se = p$se.fit)
}
write_table(do.call(rbind, curves), "loess_stats_lecture_input.csv")

# --- mgcv's gam on the lecture's formula ---------------------------------------------------------
m <- gam(test_mse ~ s(l1, k = 4) + s(l2, k = 4) + s(input_dropout) + s(rho, k = 4) +
           s(epsilon, k = 4) + s(MeanHiddenDropout, k = 4) + te(depth, SumNeurons, k = 4),
         data = lecture)
write_table(data.frame(row = seq_len(nrow(lecture)), fitted = fitted(m)),
            "gam_fitted_stats_lecture_input.csv")
st <- summary(m)$s.table
write_table(data.frame(term = rownames(st), edf = st[, "edf"], p_value = st[, "p-value"]),
            "gam_summary_stats_lecture_input.csv")
# --- ggplot's smoother at >= 1,000 points: gam(y ~ s(x, bs = "cs"), method = "REML") ----------
big <- read.csv(file.path(input_dir, "stats_smooth_input.csv"))
curves <- list()
for (col in c("l1", "input_dropout", "SumNeurons")) {
  x <- big[[col]]
  model <- gam(test_mse ~ s(x, bs = "cs"), data = data.frame(x = x, test_mse = big$test_mse),
               method = "REML")
  grid <- seq(min(x), max(x), length.out = 80)
  p <- predict(model, data.frame(x = grid), se.fit = TRUE)
  curves[[col]] <- data.frame(variable = col, x = grid, fit = p$fit, se = p$se.fit)
}
write_table(do.call(rbind, curves), "gam_smooth_stats_smooth_input.csv")
cat("wrote R statistics to", output_dir, "\n")
