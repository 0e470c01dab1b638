# The oracle of Seasonality.Strength (tests/LstmSharp.Tests/Data/SeasonalityTests.cs): the seasonal strength
# F_s = max(0, 1 - Var(R) / Var(S + R)) of R's classical decomposition, decompose(), for the repository's series.
# Run from the repository root: Rscript tools/forecast/seasonal_strength.R (R >= 4.2; stats only).
strength <- function(y, s) {
  d <- decompose(ts(y, frequency = s))
  max(0, 1 - var(d$random, na.rm = TRUE) / var(d$seasonal + d$random, na.rm = TRUE))
}
air <- read.csv("data/AirPassengers.csv")$passengers
co2 <- read.csv("data/co2_weekly.csv")$co2
co2 <- approx(seq_along(co2), co2, seq_along(co2))$y   # the gaps filled linearly, as MissingPolicy.Interpolate
for (case in list(list("air", air, 12), list("air", air, 7), list("air", air[1:100], 12), list("co2w", co2, 52), list("co2w", co2, 13)))
  cat(sprintf("%s[1:%d] season %d: %.6f\n", case[[1]], length(case[[2]]), case[[3]], strength(case[[2]], case[[3]])))
