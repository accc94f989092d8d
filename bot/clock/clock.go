// Package clock is the one injected clock of the bot, its transports, the
// monitor and the stores: what reads the time or waits takes a Clock, so
// tests run it on clocktest.Fake instead of the wall clock. It imports
// nothing but time.
package clock

import "time"

// Clock tells the time and waits: signature windows, rate-limit and
// retry waits, lifetimes, first and last seen all read it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Real is the wall clock.
var Real Clock = wall{}

type wall struct{}

func (wall) Now() time.Time                         { return time.Now() }
func (wall) After(d time.Duration) <-chan time.Time { return time.After(d) }
