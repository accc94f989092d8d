package ops_test

import "time"

// eventually checks cond every tick until it holds or timeout passes, and
// says whether it held. Waits in tests go through it: a deadline, never a
// bare sleep.
func eventually(timeout, tick time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if cond() {
			return true
		}
		select {
		case <-deadline.C:
			return cond()
		case <-t.C:
		}
	}
}
