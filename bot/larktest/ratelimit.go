package larktest

import (
	"slices"
	"time"
)

// Arrivals is what the server saw of the message calls (create, reply,
// patch) that reached its rate limits: whether the senders in front of it
// kept within them, and whether each message landed once.
type Arrivals struct {
	// Calls counts the calls, admitted or answered with a rate-limit error.
	Calls int
	// BusiestSecond is the most calls that arrived within one second (a
	// sliding window, as Feishu counts), and BusiestAt where that second
	// began.
	BusiestSecond int
	BusiestAt     time.Time
	// First and Last are the first and last arrival.
	First, Last time.Time
	// RateLimited counts the calls answered 99991400 (HTTP 429) or 230020.
	RateLimited int
	// Duplicates counts calls answered from the uuid cache: a resend of a
	// message Feishu already had.
	Duplicates int
	// Delivered is, per uuid, how many messages were recorded under it:
	// 1 for each message delivered exactly once.
	Delivered map[string]int
}

// Arrivals reports the message calls since the server started or was
// Reset. The limits need not be on (WithRateLimits) for the counts.
func (s *Server) Arrivals() Arrivals {
	s.mu.Lock()
	ts := slices.Clone(s.arrivals)
	a := Arrivals{Calls: len(ts), RateLimited: s.limited, Duplicates: s.dups, Delivered: map[string]int{}}
	for _, m := range s.sent {
		if m.UUID != "" {
			a.Delivered[m.UUID]++
		}
	}
	s.mu.Unlock()
	if len(ts) == 0 {
		return a
	}
	slices.SortFunc(ts, func(x, y time.Time) int { return x.Compare(y) })
	a.First, a.Last = ts[0], ts[len(ts)-1]
	a.BusiestSecond, a.BusiestAt = busiest(ts, rateWindow)
	return a
}

// busiest is the most of the sorted times ts within any window of length w
// (a time t counts for the windows [t-w+ε, t]), and the window's start.
func busiest(ts []time.Time, w time.Duration) (int, time.Time) {
	best, at := 0, time.Time{}
	i := 0
	for j, t := range ts {
		for t.Sub(ts[i]) >= w {
			i++
		}
		if n := j - i + 1; n > best {
			best, at = n, ts[i]
		}
	}
	return best, at
}
