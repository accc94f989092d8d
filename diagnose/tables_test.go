package diagnose

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Forcing a gateway by its own name (--vendor junos) reads that gateway's
// cases as auto does, and forcing another vendor reads none of them.
func TestForcedGatewayVendorReadsItsOwnOutput(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	depth := []string{"ios", "asa", "strongswan", "libreswan"}
	forced := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		auto := Diagnose(string(b), Options{})
		v := string(auto.Vendor)
		if v == "" || slices.Contains(depth, v) || auto.Cause == CauseUnknown {
			continue
		}
		if !slices.Contains(Vendors(), v) {
			t.Errorf("%s: vendor %q is not one Vendors() lists", f, v)
			continue
		}
		own := Diagnose(string(b), Options{Vendor: v})
		if own.Cause != auto.Cause || own.Phase != auto.Phase {
			t.Errorf("%s: --vendor %s gives %s/%s, auto %s/%s", f, v, own.Phase, own.Cause, auto.Phase, auto.Cause)
		}
		if other := Diagnose(string(b), Options{Vendor: "ios"}); other.Readable {
			t.Errorf("%s: --vendor ios still reads this %s output", f, v)
		}
		forced[v]++
	}
	for _, v := range []string{"junos", "panos", "fortios", "mikrotik", "huawei", "zyxel", "comware", "aws"} {
		if forced[v] == 0 {
			t.Errorf("no case of %s was read forced", v)
		}
	}
}
