package devices

import (
	"strings"
	"testing"
)

// FuzzParseInventory: any file gets an inventory or an error naming a
// line, never a panic, and never an error without a problem in it.
func FuzzParseInventory(f *testing.F) {
	f.Add(goodInventory)
	f.Add("devices:\n  - name: r1\n    address: 10.0.0.300\n")
	f.Add("devices: &a\n  - *a\n")
	f.Add("defaults: {known_hosts: x}\ndevices:\n  - {name: r, address: r, platform: ios, credentials: {agent: true}, username: u, tunnels: [{peer: 1.2.3.4, remote_subnets: [1.0.0.0/8]}]}\n")
	f.Fuzz(func(t *testing.T, data string) {
		inv, err := ParseInventory([]byte(data), "fuzz.yaml")
		if err != nil {
			ie, ok := err.(*InventoryError)
			if !ok || len(ie.Problems) == 0 || !strings.Contains(err.Error(), "fuzz.yaml:") {
				t.Fatalf("unhelpful error: %v", err)
			}
			return
		}
		for _, d := range inv.Devices {
			if d.Name == "" || d.Address == "" || d.KnownHosts == "" {
				t.Fatalf("accepted an incomplete device: %+v", d)
			}
			if _, ok := PlatformByName(d.Platform); !ok {
				t.Fatalf("accepted platform %q", d.Platform)
			}
		}
	})
}
