package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the collector's target when GOGC is not set: the heap may
// grow to five times what is live before a collection, not twice. The bot's
// live heap is small (a few MB: caches of members and tokens, requests in
// flight) and every event allocates tens of kilobytes that die with it, so
// at Go's default of 100 the collector ran often enough to take ~7% of the
// bot's CPU under load. At 400, measured in the proc benchmark
// (BenchmarkProcWebhookRatio, 3 runs of each build by turns, one replica):
// 467–517 µs of the bot's CPU per event against 520–605 (1.70–1.88 times
// the echo bot's in the same run, against 1.98–2.06), peak RSS 71 MB
// against 45 MB.
// GOGC, when set, wins.
const gcPercent = 400

// tuneGC applies gcPercent to this process unless GOGC says otherwise.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}
