#!/usr/bin/env Rscript
# Reference draws for h2osweep's R parity tests. Needs only base R (>= 3.6, default RNGkind).
#
# Usage: Rscript reference_r/parity/sampling.R [output_dir]   (default: reference_r/expected)
#
# Writes, with every double printed as sprintf("%.17g") so it reads back bit for bit:
#   lecture_draws.csv      the lecture's run(seed, run = FALSE) for 212 seeds
#   random_seed.csv        .Random.seed right after set.seed(seed), for a few seeds
#   generic_sequences.csv  interleaved runif / rbeta / sample calls, one row per value
#   expand_grid_lecture.csv, expand_grid_mixed.csv (+ expand_grid_mixed_classes.csv)

args <- commandArgs(trailingOnly = TRUE)
out_dir <- if (length(args) >= 1) args[[1]] else file.path("reference_r", "expected")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

stopifnot(identical(RNGkind(), c("Mersenne-Twister", "Inversion", "Rejection")))

num <- function(x) sprintf("%.17g", x)
out <- function(name) file.path(out_dir, name)

## --- the lecture's run(seed, run = FALSE), taken from the lecture script itself ------------
# Only the definition of run() is evaluated (no h2o needed when run = FALSE).
script_dir <- local({
  file_arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg[[1]]))) else "."
})
lecture_script <- file.path(script_dir, "..", "DeepNeuralNetwork.ParameterOptimization.R")
is_run_definition <- function(e) {
  is.call(e) && identical(e[[1]], as.name("<-")) && identical(e[[2]], as.name("run"))
}
run_definition <- Filter(is_run_definition, as.list(parse(lecture_script)))
stopifnot(length(run_definition) == 1)
eval(run_definition[[1]])
lecture_params <- function(seed) run(seed, run = FALSE)$Params

seeds <- c(403L, 10L, -100:100, 0L, 2147483647L, -2147483647L, 123456789L, -987654321L,
           1073741824L, -1073741824L, 65536L, 69069L, 20180101L, 999999937L)
seeds <- unique(seeds)
rows <- lapply(seeds, function(s) {
  p <- lecture_params(s)
  data.frame(
    name = p$Name, seed = p$seed, depth = p$depth, l1 = num(p$l1), l2 = num(p$l2),
    input_dropout = num(p$input_dropout), rho = num(p$rho), epsilon = num(p$epsilon),
    neurons = paste(p$neurons, collapse = ";"),
    hidden_dropout = paste(num(p$hidden_dropout), collapse = ";"),
    SumNeurons = sum(p$neurons), MeanHiddenDropout = num(mean(p$hidden_dropout)),
    stringsAsFactors = FALSE
  )
})
write.csv(do.call(rbind, rows), out("lecture_draws.csv"), row.names = FALSE, quote = TRUE)

## --- .Random.seed after set.seed -------------------------------------------------------
state_seeds <- c(0L, 1L, -1L, 403L, 2147483647L, -2147483647L)
state <- sapply(state_seeds, function(s) { set.seed(s); .Random.seed })
colnames(state) <- paste0("seed_", sub("-", "m", state_seeds))
set.seed(403); invisible(runif(1000))  # state after a twist: mti = 1000 - 624
state <- cbind(state, seed_403_after_1000_runif = .Random.seed)
write.csv(state, out("random_seed.csv"), row.names = FALSE)

## --- generic interleaved sequences --------------------------------------------------------
# Each call: fun, n (size), a, b (shapes, bounds, or a range lo:hi), replace, x (how sample's
# x is built: "count" = the number a, "range" = a:b, "vec" = the ';'-separated values,
# "chr" = the ';'-separated strings). The Python test rebuilds each call from these columns.
call <- function(fun, n, a = NA, b = NA, replace = FALSE, x = "", values = "") {
  list(fun = fun, n = n, a = a, b = b, replace = replace, x = x, values = values)
}
cases <- list(
  list(seed = 1L, calls = list(
    call("runif", 5), call("rbeta", 6, .5, .7), call("sample", 3, 1, 5, x = "range"),
    call("rbeta", 6, 2, 3), call("runif", 4, -3, 7.5), call("sample", 10, 10, x = "count"))),
  list(seed = 403L, calls = list(
    call("sample", 1, 1, 5, x = "range"), call("rbeta", 20, 1, 12),
    call("sample", 7, 20, 600, TRUE, x = "range"), call("rbeta", 7, 1.5, 1),
    call("runif", 3, 5, 5), call("runif", 2, .9, .999))),
  list(seed = -2147483647L, calls = list(
    call("rbeta", 25, .2, 50), call("rbeta", 25, 50, .2), call("rbeta", 10, 1, 1),
    call("sample", 12, replace = TRUE, x = "vec", values = "3.5;7;9;-1;0.25"),
    call("sample", 4, x = "vec", values = "3.5;7;9;-1;0.25"), call("runif", 3))),
  list(seed = 2147483647L, calls = list(
    call("sample", 40, 100000, x = "count"), call("sample", 30, 100000, TRUE, x = "count"),
    call("rbeta", 30, 3, 2), call("rbeta", 30, 200, 300), call("runif", 3))),
  list(seed = 0L, calls = list(
    call("sample", 26, x = "chr", values = paste(letters, collapse = ";")),
    call("sample", 15, x = "chr", values = "a;b;c", replace = TRUE),
    call("rbeta", 10, 0, 0), call("rbeta", 3, Inf, 2), call("rbeta", 3, 2, 0),
    call("sample", 5, 1, x = "count", replace = TRUE), call("runif", 2))),
  list(seed = 77L, calls = list(
    call("sample", 6, 1e8, x = "count"), call("sample", 4, 3e9, x = "count"),
    call("sample", 5, 70000, 70100, TRUE, x = "range"), call("rbeta", 50, .9, .95),
    call("rbeta", 50, 1.01, 1.02), call("runif", 1000, 0, 1e-4), call("sample", 1, 7, x = "count")))
)

build_x <- function(cl) {
  switch(cl$x,
    count = cl$a,
    range = cl$a:cl$b,
    vec = as.numeric(strsplit(cl$values, ";")[[1]]),
    chr = strsplit(cl$values, ";")[[1]])
}
do_call <- function(cl) {
  switch(cl$fun,
    runif = if (is.na(cl$a)) runif(cl$n) else runif(cl$n, cl$a, cl$b),
    rbeta = rbeta(cl$n, cl$a, cl$b),
    sample = sample(build_x(cl), cl$n, cl$replace))
}
fmt_value <- function(v) if (is.character(v)) v else num(v)

seq_rows <- list()
for (ci in seq_along(cases)) {
  cs <- cases[[ci]]
  set.seed(cs$seed)
  for (si in seq_along(cs$calls)) {
    cl <- cs$calls[[si]]
    v <- do_call(cl)
    seq_rows[[length(seq_rows) + 1]] <- data.frame(
      case = ci, seed = cs$seed, step = si, fun = cl$fun, n = cl$n,
      a = if (is.na(cl$a)) "" else num(cl$a), b = if (is.na(cl$b)) "" else num(cl$b),
      replace = cl$replace, x = cl$x, values = cl$values,
      index = seq_along(v), value = fmt_value(v), stringsAsFactors = FALSE)
  }
}
write.csv(do.call(rbind, seq_rows), out("generic_sequences.csv"), row.names = FALSE)

## --- expand.grid -------------------------------------------------------------------------
fmt_frame <- function(df) {
  for (nm in names(df)) if (is.double(df[[nm]])) df[[nm]] <- num(df[[nm]])
  df
}
lecture_grid <- expand.grid(layers = c(1, 2, 4), epochs = c(50, 100), l1 = c(.001, .01, .05))
write.csv(fmt_frame(lecture_grid), out("expand_grid_lecture.csv"), row.names = FALSE)

mixed_grid <- expand.grid(
  n = c(3L, 1L, 2L), rate = c(0.1, 2.5), activation = c("Rectifier", "Tanh", "Maxout"),
  adaptive = c(TRUE, FALSE), stringsAsFactors = FALSE)
write.csv(fmt_frame(mixed_grid), out("expand_grid_mixed.csv"), row.names = FALSE)
write.csv(data.frame(column = names(mixed_grid), class = sapply(mixed_grid, class)),
          out("expand_grid_mixed_classes.csv"), row.names = FALSE)
