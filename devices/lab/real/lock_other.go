//go:build !linux

package real

import (
	"context"
	"errors"
	"os"
	"time"
)

// lockMachine: the live lab runs on Linux only (Missing says so first).
func lockMachine(context.Context, time.Duration) (*os.File, error) {
	return nil, errors.New("the live lab needs Linux")
}
