# peers.R: R's automatic forecasters on the split, origins and MASE scale of one `lstm forecast train` run.
# Rscript peers.R CSV TARGET TIMEKIND MISSING TEST_ROWS SEASON HORIZON PERIODS PROPHET_FITS OUT.json [ORIGINS.csv]
#   ORIGINS.csv  scores only at these origins (a row per origin: t, then the LSTM forecasts for rows t+1..t+h)
#   TIMEKIND  how to date the rows for Prophet: year, year-month, year-quarter, date, yyyymmdd, datetime, index360
#   PERIODS   the R models' season(s), comma-separated (first = ts frequency for ETS/ARIMA); 1 = none
# Everything is scored as the tool scores it (ForecastErrors.cs): values as float32, origins t = testStart..n-h
# (forecast rows t+1..t+h from rows 1..t), MASE = MAE / mean |y[i] - y[i-season]| over the training rows.
suppressPackageStartupMessages({ library(forecast); library(prophet); library(jsonlite) })
a <- commandArgs(TRUE)
csv <- a[1]; target <- a[2]; timekind <- a[3]; missing <- a[4]
test <- as.integer(a[5]); season <- as.integer(a[6]); h <- as.integer(a[7])
periods <- as.numeric(strsplit(a[8], ",")[[1]]); prophetFits <- as.integer(a[9]); out <- a[10]
picked <- if (length(a) >= 11 && nzchar(a[11])) as.matrix(read.csv(a[11], header = FALSE)) else NULL   # origin, the LSTM's h forecasts

f32 <- function(x) { k <- !is.na(x); x[k] <- readBin(writeBin(x[k], raw(), size = 4), "double", size = 4, n = sum(k)); x }
# MissingValues.Fill, interpolate: linear inside (in double, then float), ends carried from the nearest known value.
fill <- function(x) { k <- which(!is.na(x)); if (length(k) == length(x)) return(x); f32(approx(k, x[k], seq_along(x), rule = 2)$y) }

d <- read.csv(csv, check.names = FALSE)
y <- f32(as.numeric(d[[target]]))
n <- length(y); testStart <- n - test
if (missing == "interpolate") y <- c(fill(y[1:testStart]), fill(y[(testStart + 1):n]))
stopifnot(!anyNA(y))
origins <- if (is.null(picked)) testStart:(n - h) else picked[, 1]   # t rows known; forecast rows t+1..t+h
rowsOf <- function(f) matrix(unlist(lapply(origins, f)), ncol = h, byrow = TRUE)   # [origins, h]
actual <- rowsOf(function(t) y[(t + 1):(t + h)])
train <- y[1:testStart]
scale <- mean(abs(diff(train, lag = season)))

score <- function(fc, lo80 = NULL, hi80 = NULL, lo95 = NULL, hi95 = NULL) {
  e <- abs(actual - fc); den <- abs(actual) + abs(fc)
  s <- ifelse(den == 0, 0, 2 * e / den)
  r <- list(mae = mean(e), smape = 100 * mean(s), mase = mean(e) / scale)
  if (!is.null(lo80)) { r$coverage80 <- 100 * mean(actual >= lo80 & actual <= hi80); r$coverage95 <- 100 * mean(actual >= lo95 & actual <= hi95) }
  r
}
m1 <- periods[1]
series <- function(t) if (length(periods) > 1) msts(y[1:t], seasonal.periods = periods) else ts(y[1:t], frequency = m1)

describe <- function(fit) tryCatch(if (inherits(fit, "stlm")) paste("STL +", as.character(fit$model)) else paste(as.character(fit), collapse = " "),
  error = function(e) class(fit)[1])
# Fit once on the training rows (automatic selection), then forecast from every origin with the parameters fixed,
# re-filtering the actual history before it: what the tool does with its network (trained once, fed the history).
rolling <- function(name, fit0, refit) {
  cat(name, "... "); t0 <- proc.time()[["elapsed"]]
  fit <- tryCatch(fit0(), error = function(e) { cat("fit failed:", conditionMessage(e), "\n"); NULL })
  if (is.null(fit)) return(list(error = "fit failed"))
  fitSeconds <- proc.time()[["elapsed"]] - t0
  k <- length(origins); fc <- lo80 <- hi80 <- lo95 <- hi95 <- matrix(NA_real_, k, h)
  for (i in seq_len(k)) {
    m <- if (origins[i] == testStart) fit else refit(series(origins[i]), fit)
    p <- forecast(m, h = h, level = c(80, 95))
    fc[i, ] <- p$mean; lo80[i, ] <- p$lower[, 1]; hi80[i, ] <- p$upper[, 1]; lo95[i, ] <- p$lower[, 2]; hi95[i, ] <- p$upper[, 2]
  }
  total <- proc.time()[["elapsed"]] - t0
  cat(sprintf("%.1f s\n", total))
  c(score(fc, lo80, hi80, lo95, hi95), list(fit_seconds = fitSeconds, total_seconds = total, model = describe(fit)))
}

res <- list()
if (!is.null(picked)) res$LSTM <- score(picked[, -1, drop = FALSE])   # the tool's forecasts at the picked origins
res$naive <- score(rowsOf(function(t) rep(y[t], h)))
if (season >= 2) res[["seasonal naive"]] <- score(rowsOf(function(t) y[t - season + ((0:(h - 1)) %% season) + 1]))
res$ETS <- rolling("ETS", function() ets(ts(train, frequency = m1)),
  function(x, fit) ets(ts(as.numeric(x), frequency = m1), model = fit, use.initial.values = TRUE))
res$ARIMA <- rolling("auto.arima", function() auto.arima(ts(train, frequency = m1)),
  function(x, fit) Arima(ts(as.numeric(x), frequency = m1), model = fit))
if (max(periods) > 1 && testStart > 2 * max(periods)) {
  res$STL <- rolling(if (length(periods) > 1) "MSTL+ETS" else "STL+ETS", function() stlm(series(testStart)),
    function(x, fit) stlm(x, model = fit))
}
res$TBATS <- rolling("TBATS", function() tbats(series(testStart), use.parallel = FALSE),
  function(x, fit) tbats(x, model = fit, use.parallel = FALSE))

# Prophet cannot take new history without refitting; it is refitted at `prophetFits` evenly spaced origins and
# each origin uses the latest fit made at or before it.
dates <- switch(timekind,
  "year" = as.Date(paste0(d[[1]], "-01-01")),
  "year-month" = as.Date(sprintf("%d-%02d-01", d$year, d$month)),
  "year-quarter" = as.Date(sprintf("%d-%02d-01", d$year, 3 * d$quarter - 2)),
  "date" = as.Date(d[[1]]),
  "yyyymmdd" = as.Date(as.character(d[[1]]), "%Y%m%d"),
  "datetime" = as.POSIXct(d[[1]], format = "%Y-%m-%dT%H:%M:%S", tz = "UTC"),
  "index360" = as.POSIXct("2000-01-01", tz = "UTC") + (seq_len(n) - 1) / 360)
cat("Prophet ... "); t0 <- proc.time()[["elapsed"]]
refits <- unique(origins[floor(seq(1, length(origins) + 1 - 1e-9, length.out = prophetFits + 1))[1:prophetFits]])
step <- as.numeric(difftime(dates[2], dates[1], units = "days"))
custom <- timekind %in% c("year", "index360") && season >= 2
fc <- lo <- hi <- matrix(NA_real_, length(origins), h); fitSeconds <- NA
ok <- tryCatch({
  for (j in seq_along(refits)) {
    r <- refits[j]; t1 <- proc.time()[["elapsed"]]
    m <- prophet(fit = FALSE)
    if (custom) m <- add_seasonality(m, name = "season", period = season * step, fourier.order = 5)
    m <- suppressMessages(fit.prophet(m, data.frame(ds = dates[1:r], y = y[1:r])))
    if (j == 1) fitSeconds <- proc.time()[["elapsed"]] - t1
    use <- which(origins >= r & (j == length(refits) | origins < c(refits, Inf)[j + 1]))
    rows <- sort(unique(as.vector(outer(origins[use], 1:h, "+"))))
    p <- predict(m, data.frame(ds = dates[rows]))
    for (i in use) { k <- match(origins[i] + 1:h, rows); fc[i, ] <- p$yhat[k]; lo[i, ] <- p$yhat_lower[k]; hi[i, ] <- p$yhat_upper[k] }
  }
  TRUE }, error = function(e) { cat("failed:", conditionMessage(e), "\n"); FALSE })
if (ok) {
  s <- score(fc); s$coverage80 <- 100 * mean(actual >= lo & actual <= hi)
  res$Prophet <- c(s, list(fit_seconds = fitSeconds, total_seconds = proc.time()[["elapsed"]] - t0, refits = length(refits)))
  cat(sprintf("%.1f s\n", res$Prophet$total_seconds))
} else res$Prophet <- list(error = "fit failed")

write_json(list(rows = n, test_rows = test, test_start = testStart, origins = length(origins), horizon = h, season = season,
  periods = periods, scale = scale, methods = res), out, auto_unbox = TRUE, digits = NA, pretty = TRUE)
