#!/usr/bin/env Rscript
# The lecture's parameter-optimization script: grid search with expand.grid, then random search
# with run(seed) on the UCI HAR activity data, MSE plots, a GAM over the sampled parameters and
# the retrained "optimized" model.
#
# Needs R packages h2o (with Java), ggplot2, reshape2 and mgcv, and the unzipped
# "UCI HAR Dataset" folder:
#   Rscript reference_r/DeepNeuralNetwork.ParameterOptimization.R [path/to/UCI HAR Dataset]
# The random draws of run(seed, run = FALSE) need only base R; reference_r/parity/sampling.R
# repeats them verbatim and writes the values h2osweep's tests compare against.

library(h2o)
library(ggplot2)
library(reshape2)
library(mgcv)

args <- commandArgs(trailingOnly = TRUE)
har_dir <- if (length(args) >= 1) args[[1]] else "UCI HAR Dataset"

## Grid search: every combination, first factor varying fastest (18 rows)
print(expand.grid(
  layers = c(1, 2, 4),
  epochs = c(50, 100),
  l1 = c(.001, .01, .05)
))

## Data: 561 features per window, six activities
har <- function(...) file.path(har_dir, ...)
use.train.x <- read.table(har("train", "X_train.txt"))
use.train.y <- read.table(har("train", "y_train.txt"))[[1]]
use.test.x <- read.table(har("test", "X_test.txt"))
use.test.y <- read.table(har("test", "y_test.txt"))[[1]]
use.labels <- read.table(har("activity_labels.txt"))

cl <- h2o.init(max_mem_size = "3G", nthreads = 2)
h2oactivity.train <- as.h2o(
  cbind(use.train.x, Outcome = factor(use.train.y)),
  destination_frame = "h2oactivity.train")
h2oactivity.test <- as.h2o(
  cbind(use.test.x, Outcome = factor(use.test.y)),
  destination_frame = "h2oactivity.test")

## Random search: draw the hyperparameters from the seed, train, measure
run <- function(seed, name = paste0("m_", seed), run = TRUE) {
  set.seed(seed)

  p <- list(
    Name = name,
    seed = seed,
    depth = sample(1:5, 1),
    l1 = runif(1, 0, .01),
    l2 = runif(1, 0, .01),
    input_dropout = rbeta(1, 1, 12),
    rho = runif(1, .9, .999),
    epsilon = runif(1, 1e-10, 1e-4))

  p$neurons <- sample(20:600, p$depth, TRUE)
  p$hidden_dropout <- rbeta(p$depth, 1.5, 1)/2

  if (run) {
    model <- h2o.deeplearning(
      x = colnames(use.train.x),
      y = "Outcome",
      training_frame = h2oactivity.train,
      activation = "RectifierWithDropout",
      hidden = p$neurons,
      epochs = 100,
      loss = "CrossEntropy",
      input_dropout_ratio = p$input_dropout,
      hidden_dropout_ratios = p$hidden_dropout,
      l1 = p$l1,
      l2 = p$l2,
      rho = p$rho,
      epsilon = p$epsilon,
      export_weights_and_biases = TRUE,
      model_id = p$Name
    )

    ## Measure performance on training data
    p$MSE <- h2o.mse(model)
    p$R2 <- h2o.r2(model)
    p$Logloss <- h2o.logloss(model)
    p$CM <- h2o.confusionMatrix(model)

    ## Measure performance on testing data
    perf <- h2o.performance(model, h2oactivity.test)
    p$T.MSE <- h2o.mse(perf)
    p$T.R2 <- h2o.r2(perf)
    p$T.Logloss <- h2o.logloss(perf)
    p$T.CM <- h2o.confusionMatrix(perf)

  } else {
    model <- NULL
  }

  return(list(
    Params = p,
    Model = model))
}

# To make the parameters reproducible,
# specify a list of random seeds to loop through to run the models
use.seeds <- c(403L, 10L)
model.res <- lapply(use.seeds, run)

## One row per model: the sampled parameters and the test MSE
model.res.dat <- do.call(rbind,
  lapply(model.res,
         function(x) with(x$Params,
                          data.frame(l1 = l1, l2 = l2,
                                     depth = depth,
                                     input_dropout = input_dropout,
                                     SumNeurons = sum(neurons),
                                     MeanHiddenDropout = mean(hidden_dropout),
                                     rho = rho,
                                     epsilon = epsilon,
                                     MSE = T.MSE))))

p.perf <- ggplot(melt(model.res.dat, id.vars = c("MSE")), aes(value, MSE)) +
  geom_point() +
  stat_smooth(colour = "black") +
  facet_wrap(~ variable, scales = "free_x", ncol = 2) +
  theme_classic()
print(p.perf)

## Multivariate relationships (needs many more seeds than two to be estimable)
if (nrow(model.res.dat) > 30) {
  summary(m.gam <- gam(MSE ~ s(l1, k = 4) +
                         s(l2, k = 4) +
                         s(input_dropout) +
                         s(rho, k = 4) +
                         s(epsilon, k = 4) +
                         s(MeanHiddenDropout, k = 4) +
                         te(depth, SumNeurons, k = 4),
                       data = model.res.dat))
  for (i in 1:6) {
    plot(m.gam, select = i)
  }
  plot(m.gam, select = 7)
}

## The optimized configuration chosen from the plots
model.optimized <- h2o.deeplearning(
  x = colnames(use.train.x),
  y = "Outcome",
  training_frame = h2oactivity.train,
  activation = "RectifierWithDropout",
  hidden = c(500, 500, 500),
  epochs = 100,
  loss = "CrossEntropy",
  input_dropout_ratio = .08,
  hidden_dropout_ratios = c(.50, .50, .50),
  l1 = .002,
  l2 = 0,
  rho = .95,
  epsilon = 1e-10,
  export_weights_and_biases = TRUE,
  model_id = "optimized_model"
)

print(h2o.performance(model.optimized, h2oactivity.test))

print(model.res.dat[which.min(model.res.dat$MSE), ])

h2o.shutdown(prompt = FALSE)
