package real

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockPath is the machine-wide lock of the live lab.
const lockPath = "/run/tunneldoc-reallab.lock"

// lockMachine takes the machine-wide lock, waiting at most limit.
func lockMachine(ctx context.Context, limit time.Duration) (*os.File, error) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("live lab lock: %w", err)
	}
	deadline := time.Now().Add(limit)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if ctx.Err() != nil {
			f.Close()
			return nil, fmt.Errorf("waiting for another live lab to release %s: %w", lockPath, ctx.Err())
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("another live lab holds %s (waited %s): %w", lockPath, limit, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}
