#!/usr/bin/env Rscript
# The lecture's first script (Deep Learning Parameter Optimization, N. F. Samatova, NC State):
# a caret/nnet baseline on the digits data, then two H2O deep-learning models that differ only
# in their learning rate (ex1: 0.001, ex2: 0.01), compared on the validation frame.
#
# Needs R packages caret, nnet and h2o (with Java), and Kaggle's digit-recognizer train.csv:
#   Rscript reference_r/DeepNeuralNetwork.R [path/to/train.csv]
# h2osweep's Python port of this workflow is checked against this script's logic; the
# random-draw parity that does not need h2o lives in reference_r/parity/.

library(caret)
library(nnet)
library(h2o)

args <- commandArgs(trailingOnly = TRUE)
digits_csv <- if (length(args) >= 1) args[[1]] else file.path("data", "train.csv")

## Data: 784 pixel columns and a label; first 5000 rows to train, next 5000 to test
digits.train <- read.csv(digits_csv)
digits.train$label <- factor(digits.train$label, levels = 0:9)
i <- 1:5000
digits.X <- digits.train[i, -1]
digits.y <- digits.train[i, 1]

## Baseline: a single-hidden-layer net tuned by caret on an expand.grid
set.seed(1234)
digits.m1 <- train(digits.X, digits.y,
                   method = "nnet",
                   tuneGrid = expand.grid(
                     .size = c(5),
                     .decay = 0.1),
                   trControl = trainControl(method = "none"),
                   MaxNWts = 10000,
                   maxit = 100)
digits.yhat1 <- predict(digits.m1)
print(caret::confusionMatrix(xtabs(~ digits.yhat1 + digits.y)))

## H2O: start a local cluster and upload train / test frames
cl <- h2o.init(max_mem_size = "3G", nthreads = 2)
h2odigits <- as.h2o(digits.train, destination_frame = "h2odigits")
h2odigits.train <- h2odigits[i, ]
h2odigits.test <- h2odigits[5001:10000, ]
xnames <- colnames(h2odigits.train)[-1]

system.time(ex1 <- h2o.deeplearning(
  x = xnames,
  y = "label",
  training_frame = h2odigits.train,
  validation_frame = h2odigits.test,
  activation = "RectifierWithDropout",
  hidden = c(100),
  epochs = 10,
  adaptive_rate = FALSE,
  rate = .001,
  input_dropout_ratio = 0,
  hidden_dropout_ratios = c(.2)
))

system.time(ex2 <- h2o.deeplearning(
  x = xnames,
  y = "label",
  training_frame = h2odigits.train,
  validation_frame = h2odigits.test,
  activation = "RectifierWithDropout",
  hidden = c(100),
  epochs = 10,
  adaptive_rate = FALSE,
  rate = .01,
  input_dropout_ratio = 0,
  hidden_dropout_ratios = c(.2)
))

## Validation metrics: MSE, RMSE, logloss, mean per-class error, confusion matrix
for (m in list(ex1, ex2)) {
  perf <- h2o.performance(m, valid = TRUE)
  print(c(MSE = h2o.mse(perf), RMSE = h2o.rmse(perf), Logloss = h2o.logloss(perf),
          MeanPerClassError = h2o.mean_per_class_error(perf)))
  print(h2o.confusionMatrix(perf))
}

h2o.shutdown(prompt = FALSE)
