package devices_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// BenchmarkCollect measures one full check (dial, login, shell, paging
// off, every platform command) against a lab device on loopback.
func BenchmarkCollect(b *testing.B) {
	for _, scen := range []struct{ name, peer string }{
		{"ios-healthy", "40.10.1.1"}, {"asa-healthy", "90.1.1.1"}, {"swan-healthy", "203.0.113.10"},
	} {
		b.Run(scen.name, func(b *testing.B) {
			_, inv := benchLab(b, scen.name)
			c := devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			ctx := b.Context()
			for b.Loop() {
				if _, err := c.Collect(ctx, scen.peer, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchLab(b *testing.B, scenario string) (*lab.Lab, *devices.Inventory) {
	b.Helper()
	l, err := lab.Start(b.Context(), lab.Options{Devices: []lab.DeviceConfig{{Scenario: scenario}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	path, err := l.WriteFiles(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		b.Fatal(err)
	}
	return l, inv
}
