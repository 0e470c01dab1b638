# report.R: the per-run JSON files of run.sh into forecast.md (tables), forecast.json and forecast.csv (every number).
#   Rscript report.R RUNS_DIR OUT_DIR SERIES_TXT DATA_DIR
suppressPackageStartupMessages(library(jsonlite))
a <- commandArgs(TRUE); work <- a[1]; out <- a[2]; dataDir <- if (length(a) >= 4) a[4] else "."
f32 <- function(x) { k <- !is.na(x); x[k] <- readBin(writeBin(x[k], raw(), size = 4), "double", size = 4, n = sum(k)); x }
fill <- function(x) { k <- which(!is.na(x)); if (length(k) == length(x)) return(x); f32(approx(k, x[k], seq_along(x), rule = 2)$y) }
peers <- c("ETS", "ARIMA", "STL", "TBATS")                     # R forecast's automatic methods
cols <- c("LSTM", "seasonal naive", "naive", peers, "Prophet")
spec <- read.table(a[3], sep = "|", strip.white = TRUE, comment.char = "#", col.names = c("name", "file", "target", "dates", "missing", "h2", "periods"))
`%||%` <- function(x, y) if (is.null(x)) y else x
num <- function(x) if (is.null(x)) NA_real_ else as.numeric(x)

series <- function(sp, l) {   # the target as the tool reads it: float32, gaps filled in the training and test parts apart
  file <- if (file.exists(file.path(dataDir, sp$file))) file.path(dataDir, sp$file) else file.path(work, sp$file)
  y <- f32(as.numeric(read.csv(file, check.names = FALSE)[[sp$target]]))
  n <- length(y); ts0 <- n - l$test_rows
  if (sp$missing == "interpolate") y <- c(fill(y[1:ts0]), fill(y[(ts0 + 1):n]))
  y
}
# The tool's forecasts at the picked origins (run.sh, `forecast predict`), scored as peers.R scores the peers there.
scorePicked <- function(path, sp, l, h) {
  p <- as.matrix(read.csv(path, header = FALSE)); y <- series(sp, l); ts0 <- length(y) - l$test_rows
  act <- t(sapply(p[, 1], function(t) y[t + 1:h])); if (h == 1) act <- matrix(act, ncol = 1)
  fc <- p[, -1, drop = FALSE]; e <- abs(act - fc); den <- abs(act) + abs(fc)
  list(mae = mean(e), smape = 100 * mean(ifelse(den == 0, 0, 2 * e / den)), mase = mean(e) / mean(abs(diff(y[1:ts0], lag = l$season))))
}
rows <- list(); runs <- list()
for (i in seq_len(nrow(spec))) for (h in c(1, spec$h2[i])) {
  base <- file.path(work, sprintf("%s-h%d", spec$name[i], h))
  if (!file.exists(paste0(base, ".lstm.json"))) next
  l <- fromJSON(paste0(base, ".lstm.json"), simplifyVector = FALSE)
  r <- if (file.exists(paste0(base, ".r.json"))) fromJSON(paste0(base, ".r.json"), simplifyVector = FALSE) else list(methods = list())
  run <- list(series = spec$name[i], file = spec$file[i], target = spec$target[i], horizon = h, season = l$season, r_periods = spec$periods[i],
    rows = l$rows, test_rows = l$test_rows, origins = l$test_rows - h + 1, scored_origins = r$origins %||% (l$test_rows - h + 1), lstm = l, r = r)
  runs[[length(runs) + 1]] <- run
  m <- r$methods
  add <- function(method, x) rows[[length(rows) + 1]] <<- data.frame(series = run$series, horizon = h, season = l$season, r_periods = run$r_periods,
    rows = l$rows, test_rows = l$test_rows, origins = run$origins, scored_origins = run$scored_origins, method = method, mae = num(x$mae), smape = num(x$smape), mase = num(x$mase),
    coverage80 = num(x$coverage80), coverage95 = num(x$coverage95), fit_seconds = num(x$fit_seconds), total_seconds = num(x$total_seconds),
    model = if (is.null(x$model) || nchar(x$model) > 80) "" else x$model)
  times <- list(fit_seconds = l$training$seconds, total_seconds = l$elapsed_seconds, model = sprintf("kept epoch %s of %s", l$best_epoch, l$epochs_run))
  add("LSTM (tool, all origins)", c(l$test$LSTM, times))
  # With picked origins (a long test part) peers.R scored the tool's forecasts there; else the tool's own scores are the ones.
  picked <- paste0(base, ".lstm-origins.csv")
  add("LSTM", c(if (file.exists(picked)) scorePicked(picked, spec[i, ], l, h) else l$test$LSTM, times))
  for (nm in c("seasonal naive", "naive")) add(paste(nm, "(tool, all origins)"), l$test[[nm]] %||% list())
  for (k in setdiff(names(m), "LSTM")) add(k, m[[k]])
  # The harness check: the baselines' MASE recomputed here from the data, at every origin, as peers.R reads and scores it.
  y <- series(spec[i, ], l); n <- length(y); ts0 <- n - l$test_rows
  o <- ts0:(n - h); sc <- mean(abs(diff(y[1:ts0], lag = l$season)))
  act <- unlist(lapply(o, function(t) y[t + 1:h]))
  add("naive (check)", list(mase = mean(abs(act - unlist(lapply(o, function(t) rep(y[t], h))))) / sc))
  if (l$season >= 2) add("seasonal naive (check)", list(mase = mean(abs(act - unlist(lapply(o, function(t) y[t - l$season + ((0:(h - 1)) %% l$season) + 1])))) / sc))
}
d <- do.call(rbind, rows)
write.csv(d, file.path(out, "forecast.csv"), row.names = FALSE)
machine <- readLines(file.path(work, "machine.txt"))
write_json(list(machine = machine, runs = runs), file.path(out, "forecast.json"), auto_unbox = TRUE, digits = NA, pretty = TRUE)

get <- function(s, h, method, what) { v <- d[d$series == s & d$horizon == h & d$method == method, what]; if (length(v)) v[1] else NA }
f <- function(x, digits = 3) ifelse(is.na(x), "–", formatC(x, format = "f", digits = digits))
keys <- unique(d[, c("series", "horizon", "season", "r_periods", "origins", "scored_origins")])
md <- c("# Forecasting benchmark: `lstm forecast train` defaults vs R forecast and Prophet", "",
  "Written by `bench/forecast/run.sh` (see bench/README.md, \"Forecasting benchmark\"). Machine and run:", "", "```", machine, "```", "")
table <- function(what, digits, title) {
  c(paste0("## ", title), "",
    paste0("| series | h | season (tool) | R season(s) | origins scored (of all) | LSTM, all origins | ", paste(cols, collapse = " | "), " | best R (forecast) | LSTM vs best |"),
    paste0("|", strrep("---|", 8 + length(cols))),
    apply(keys, 1, function(k) {
      s <- k[["series"]]; h <- as.numeric(k[["horizon"]])
      v <- sapply(cols, function(m) get(s, h, m, what))
      best <- if (all(is.na(v[peers]))) NA else min(v[peers], na.rm = TRUE); bestName <- if (is.na(best)) "" else names(which(v[peers] == best))[1]
      cells <- f(v, digits); lo <- which.min(v); if (length(lo)) cells[lo] <- paste0("**", cells[lo], "**")
      ratio <- v[["LSTM"]] / best
      paste0("| ", s, " | ", h, " | ", trimws(k[["season"]]), " | ", k[["r_periods"]], " | ", trimws(k[["scored_origins"]]), " (", trimws(k[["origins"]]), ") | ",
        f(get(s, h, "LSTM (tool, all origins)", what), digits), " | ", paste(cells, collapse = " | "), " | ",
        bestName, " ", f(best, digits), " | ", if (is.na(ratio)) "–" else sprintf("%s (%.2f×)", if (ratio < 1) "wins" else "loses", ratio), " |")
    }), "")
}
md <- c(md, table("mase", 3, "MASE (scaled by the tool's in-sample seasonal-naive MAE; lower is better; the lowest in bold)"))
md <- c(md, table("smape", 2, "sMAPE %"))

# The counts of the goal.
mn <- function(x) if (all(is.na(x))) NA else min(x, na.rm = TRUE)
w <- apply(keys, 1, function(k) {
  s <- k[["series"]]; h <- as.numeric(k[["horizon"]]); l <- get(s, h, "LSTM", "mase")
  c(snaive = l < get(s, h, "seasonal naive", "mase"), naive = l < get(s, h, "naive", "mase"),
    best = l < mn(sapply(peers, function(m) get(s, h, m, "mase"))),
    bestP = l < mn(sapply(c(peers, "Prophet"), function(m) get(s, h, m, "mase"))))
})
one <- keys$horizon == 1
cnt <- function(r, sel) { x <- w[r, sel]; sprintf("%d of %d", sum(x, na.rm = TRUE), sum(!is.na(x))) }
md <- c(md, "## Where the LSTM wins (MASE)", "", "| LSTM below … | one step | one season | all |", "|---|---|---|---|",
  sprintf("| seasonal naive (season ≥ 2 only) | %s | %s | %s |", cnt("snaive", one), cnt("snaive", !one), cnt("snaive", TRUE)),
  sprintf("| naive | %s | %s | %s |", cnt("naive", one), cnt("naive", !one), cnt("naive", TRUE)),
  sprintf("| the best of ETS, auto.arima, STL, TBATS | %s | %s | %s |", cnt("best", one), cnt("best", !one), cnt("best", TRUE)),
  sprintf("| the best of those and Prophet | %s | %s | %s |", cnt("bestP", one), cnt("bestP", !one), cnt("bestP", TRUE)), "")

# Interval coverage (the tool gives no intervals).
md <- c(md, "## Prediction-interval coverage of the R methods, % (nominal 80 / 95; Prophet's default interval is 80 %)", "",
  "| series | h | ETS | auto.arima | STL | TBATS | Prophet 80 |", "|---|---|---|---|---|---|---|",
  apply(keys, 1, function(k) { s <- k[["series"]]; h <- as.numeric(k[["horizon"]])
    paste0("| ", s, " | ", h, " | ", paste(sapply(peers, function(m) paste(f(get(s, h, m, "coverage80"), 0), "/", f(get(s, h, m, "coverage95"), 0))), collapse = " | "),
      " | ", f(get(s, h, "Prophet", "coverage80"), 0), " |") }), "")

# Time: the fit on the training part, and the whole evaluation (fit + every origin's forecast).
md <- c(md, "## Time, seconds: fit on the training part / fit + forecasts from every origin", "",
  "The LSTM's fit is its training (`training.seconds`), its total the tool's `elapsed_seconds` (reading, training, evaluation). Prophet's fit is its first fit; its total includes every refit.", "",
  paste0("| series | h | ", paste(setdiff(cols, c("seasonal naive", "naive")), collapse = " | "), " |"), paste0("|", strrep("---|", 2 + length(cols) - 2)),
  apply(keys, 1, function(k) { s <- k[["series"]]; h <- as.numeric(k[["horizon"]])
    paste0("| ", s, " | ", h, " | ", paste(sapply(setdiff(cols, c("seasonal naive", "naive")), function(m) paste(f(get(s, h, m, "fit_seconds"), 1), "/", f(get(s, h, m, "total_seconds"), 1))), collapse = " | "), " |") }), "")

# The harness check: the baselines' MASE from the data (report.R, every origin) against the tool's.
md <- c(md, "## Harness check: the tool's baseline MASE reproduced in R from the data (every origin of the test part)", "",
  "| series | h | origins | seasonal naive: tool | R | naive: tool | R | largest relative difference |", "|---|---|---|---|---|---|---|---|",
  apply(keys, 1, function(k) { s <- k[["series"]]; h <- as.numeric(k[["horizon"]])
    st <- get(s, h, "seasonal naive (tool, all origins)", "mase"); sr <- get(s, h, "seasonal naive (check)", "mase")
    nt <- get(s, h, "naive (tool, all origins)", "mase"); nr <- get(s, h, "naive (check)", "mase")
    rel <- max(abs(c(st - sr, nt - nr) / c(st, nt)), na.rm = TRUE)
    paste0("| ", s, " | ", h, " | ", trimws(k[["origins"]]), " | ", f(st, 12), " | ", f(sr, 12), " | ", f(nt, 12), " | ", f(nr, 12), " | ", formatC(rel, format = "e", digits = 1), " |") }), "")
md <- c(md, "## Models R chose (on the training part)", "", "| series | h | method | model |", "|---|---|---|---|",
  with(d[d$model != "" & d$method != "LSTM", ], sprintf("| %s | %d | %s | %s |", series, horizon, method, gsub("|", "/", model, fixed = TRUE))), "")
writeLines(md, file.path(out, "forecast.md"))
cat("wrote", file.path(out, "forecast.md"), "\n")
