package compare

import (
	"math/rand"
	"net/netip"
	"testing"
)

func TestWildcardSet(t *testing.T) {
	cases := []struct {
		addr, wild string
		want       string
		ranges     int
	}{
		{"3.1.1.0", "0.0.0.255", "3.1.1.0/24", 1},
		{"3.1.1.7", "0.0.0.0", "3.1.1.7", 1},
		{"0.0.0.0", "255.255.255.255", "any", 1},
		{"10.1.0.0", "0.0.255.255", "10.1.0.0/16", 1},
		// host bits set in the address are ignored, as IOS does
		{"3.1.1.77", "0.0.0.255", "3.1.1.0/24", 1},
		// non-contiguous: every .1 host in 10.0.0.0/16
		{"10.0.0.1", "0.0.255.0", "10.0.0.1, 10.0.1.1, 10.0.2.1, 10.0.3.1, 10.0.4.1, 10.0.5.1, ...", 256},
		// even and odd halves
		{"192.168.0.0", "0.0.0.254", "192.168.0.0, 192.168.0.2, 192.168.0.4, 192.168.0.6, 192.168.0.8, 192.168.0.10, ...", 128},
	}
	for _, c := range cases {
		s, approx := wildcardSet(netip.MustParseAddr(c.addr), netip.MustParseAddr(c.wild))
		if approx || s.String() != c.want || len(s) != c.ranges {
			t.Errorf("%s %s = %q (%d ranges, approx %v), want %q (%d)", c.addr, c.wild, s, len(s), approx, c.want, c.ranges)
		}
	}
	// too scattered to expand: the spanning range, flagged
	s, approx := wildcardSet(netip.MustParseAddr("10.0.0.0"), netip.MustParseAddr("0.255.255.0"))
	if !approx || len(s) != 1 {
		t.Errorf("scattered mask: %v %v", s, approx)
	}
}

func TestPrefixes(t *testing.T) {
	cases := []struct{ in, want string }{
		{"10.0.0.0-10.0.0.255", "10.0.0.0/24"},
		{"10.0.0.1-10.0.0.6", "10.0.0.0/29 except 10.0.0.0, 10.0.0.7"},
		{"10.0.0.2-10.0.0.5", "10.0.0.2/31, 10.0.0.4/31"},
		{"0.0.0.0/0", "any"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"::/0", "::/0"}, // IPv6 any (the IPv4-mapped block left out)
	}
	for _, c := range cases {
		s, ok := parseRange(c.in)
		if !ok {
			t.Fatalf("parseRange(%q) failed", c.in)
		}
		if got := s.String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.in, got, c.want)
		}
		if c.in == "::/0" && len(s.intersect(ipSet{v4Any})) != 0 {
			t.Errorf("::/0 overlaps IPv4")
		}
	}
}

// The set operations are checked against bit sets on a 64-address universe
// (10.0.0.0/26), with random inputs: bounded, seeded, exhaustive enough.
const uni = 64

func uAddr(i int) u128 { return toU128(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})) }

func randSet(r *rand.Rand) (ipSet, uint64) {
	var ivs []ival
	var bits uint64
	for n := r.Intn(4); n > 0; n-- {
		lo := r.Intn(uni)
		hi := lo + r.Intn(uni-lo)
		ivs = append(ivs, ival{uAddr(lo), uAddr(hi)})
		for i := lo; i <= hi; i++ {
			bits |= 1 << i
		}
	}
	return makeSet(ivs), bits
}

func bitsOf(s ipSet) uint64 {
	var b uint64
	for i := 0; i < uni; i++ {
		u := uAddr(i)
		for _, iv := range s {
			if iv.lo.cmp(u) <= 0 && u.cmp(iv.hi) <= 0 {
				b |= 1 << i
			}
		}
	}
	return b
}

func TestSetOpsAgainstBits(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 2000; n++ {
		a, ab := randSet(r)
		b, bb := randSet(r)
		if got := bitsOf(a.union(b)); got != ab|bb {
			t.Fatalf("union %v %v", a, b)
		}
		if got := bitsOf(a.intersect(b)); got != ab&bb {
			t.Fatalf("intersect %v %v", a, b)
		}
		if got := bitsOf(a.minus(b)); got != ab&^bb {
			t.Fatalf("minus %v %v = %v", a, b, a.minus(b))
		}
		// canonical: equal sets are equal slices
		if (ab == bb) != a.equal(b) {
			t.Fatalf("equal %v %v", a, b)
		}
		// CIDR split covers exactly the set
		ps, _ := a.prefixes(1000)
		var back ipSet
		for _, p := range ps {
			back = back.union(prefixSet(p))
		}
		if !back.equal(a) {
			t.Fatalf("prefixes of %v = %v", a, ps)
		}
	}
}

// grid is a 2-D set as a 64x64 bit matrix: row = source, bit = destination.
type grid [uni]uint64

func randRects(r *rand.Rand) ([]rect, grid) {
	var rs []rect
	n := 1 + r.Intn(5)
	var g, covered grid
	for ; n > 0; n-- {
		s, sb := randSet(r)
		d, db := randSet(r)
		deny := r.Intn(3) == 0
		rs = append(rs, rect{src: s, dst: d, deny: deny})
		for i := 0; i < uni; i++ {
			if sb&(1<<i) == 0 {
				continue
			}
			if !deny {
				g[i] |= db &^ covered[i] // first match wins
			}
			covered[i] |= db
		}
	}
	return rs, g
}

func gridOf(s set2D) grid {
	var g grid
	for i := 0; i < uni; i++ {
		u := uAddr(i)
		for _, b := range s {
			if b.src.lo.cmp(u) <= 0 && u.cmp(b.src.hi) <= 0 {
				g[i] = bitsOf(b.dst)
			}
		}
	}
	return g
}

func TestSet2DAgainstGrid(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for n := 0; n < 1000; n++ {
		ra, ga := randRects(r)
		rb, gb := randRects(r)
		a, b := build2D(ra), build2D(rb)
		if gridOf(a) != ga {
			t.Fatalf("build2D(%v) wrong", ra)
		}
		var mi, in, un, mirror grid
		for i := 0; i < uni; i++ {
			mi[i], in[i], un[i] = ga[i]&^gb[i], ga[i]&gb[i], ga[i]|gb[i]
			for j := 0; j < uni; j++ {
				if ga[i]&(1<<j) != 0 {
					mirror[j] |= 1 << i
				}
			}
		}
		if gridOf(a.minus(b)) != mi || gridOf(a.intersect(b)) != in || gridOf(a.union(b)) != un {
			t.Fatalf("2-D set operations disagree with the grid")
		}
		if gridOf(a.mirror()) != mirror {
			t.Fatalf("mirror wrong")
		}
		if !a.mirror().mirror().equal(a) {
			t.Fatalf("mirror twice is not the identity")
		}
		if (ga == gb) != a.equal(b) {
			t.Fatalf("equal: grids %v, sets %v", ga == gb, a.equal(b))
		}
	}
}
