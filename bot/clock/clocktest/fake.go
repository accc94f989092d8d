// Package clocktest is the one fake clock every test shares.
package clocktest

import (
	"sync"
	"time"
)

// Start is where a Fake starts unless told otherwise.
var Start = time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)

// Fake is a clock.Clock that moves only when told. After records every
// wait and fires at once with the fake time; Jump makes it move the time
// on by the wait first (virtual time that runs as fast as waits are
// asked for); Hold makes it fire only on Release.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	jump    bool
	waits   []time.Duration
	held    chan time.Duration // Hold: the waits asked for, in order
	release chan time.Time     // Hold: closed by Release
}

// New is a Fake at start (zero: Start).
func New(start time.Time) *Fake {
	if start.IsZero() {
		start = Start
	}
	return &Fake{now: start}
}

// Now is the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the fake time on by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// Set moves the fake time to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

// Jump makes every later After move the time on by its wait; it returns f.
func (f *Fake) Jump() *Fake {
	f.mu.Lock()
	f.jump = true
	f.mu.Unlock()
	return f
}

// Hold makes every later After wait until Release; the returned channel
// receives each wait asked for (it holds 64, for a bounded test).
func (f *Fake) Hold() <-chan time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = make(chan time.Duration, 64)
	f.release = make(chan time.Time)
	return f.held
}

// Release fires every held wait, and every later one at once.
func (f *Fake) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.release != nil {
		close(f.release)
		f.held, f.release = nil, nil
	}
}

// After records d and fires with the fake time: at once, after moving the
// time on by d (Jump), or on Release (Hold).
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	if f.jump && d > 0 {
		f.now = f.now.Add(d)
	}
	if f.release != nil {
		f.held <- d
		return f.release
	}
	ch := make(chan time.Time, 1)
	ch <- f.now
	return ch
}

// Waits are the waits After was asked for, in order.
func (f *Fake) Waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}
