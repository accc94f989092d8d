package compare

import (
	"math/bits"
	"net/netip"
	"strings"
)

// maxWildcardRanges bounds how far a non-contiguous wildcard mask is
// expanded; beyond it the covering range is used and a note says so.
const maxWildcardRanges = 1024

// wildcardSet is the IPv4 addresses matching addr under an IOS wildcard
// mask (1 bits are "don't care"). Non-contiguous masks become several
// ranges. approx reports that the mask was too scattered to expand.
func wildcardSet(addr, wild netip.Addr) (s ipSet, approx bool) {
	return wildcardSetMax(addr, wild, maxWildcardRanges)
}

// wildcardSetMax is wildcardSet expanding to at most limit ranges. An
// address or mask that is not IPv4 matches nothing.
func wildcardSetMax(addr, wild netip.Addr, limit int) (s ipSet, approx bool) {
	if !addr.Is4() || !wild.Is4() {
		return nil, false
	}
	a := v4u32(addr)
	w := v4u32(wild)
	base := a &^ w
	low := uint32(bits.TrailingZeros32(^w)) // contiguous don't-care bits at the bottom
	if low == 32 {
		return ipSet{v4Any}, false
	}
	block := uint32(1)<<low - 1
	high := w &^ block
	var pos []uint
	for b := uint(0); b < 32; b++ {
		if high&(1<<b) != 0 {
			pos = append(pos, b)
		}
	}
	if len(pos) > 30 || 1<<len(pos) > limit {
		return ipSet{ival{v4(base), v4(base | w)}}, true
	}
	ivs := make([]ival, 0, 1<<len(pos))
	for combo := 0; combo < 1<<len(pos); combo++ {
		v := base
		for i, b := range pos {
			if combo&(1<<i) != 0 {
				v |= 1 << b
			}
		}
		ivs = append(ivs, ival{v4(v), v4(v | block)})
	}
	return makeSet(ivs), false
}

func v4u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func v4(x uint32) u128 { return u128{0, 0xffff00000000 | uint64(x)} }

// maskSet is addr under a netmask (ASA, IOS keys and object groups).
func maskSet(addr, mask netip.Addr) (ipSet, bool) {
	return maskSetMax(addr, mask, maxWildcardRanges)
}

func maskSetMax(addr, mask netip.Addr, limit int) (ipSet, bool) {
	if !mask.Is4() {
		return nil, false
	}
	m := v4u32(mask)
	return wildcardSetMax(addr, netip.AddrFrom4([4]byte{byte(^m >> 24), byte(^m >> 16), byte(^m >> 8), byte(^m)}), limit)
}

// maskPrefix turns "A M" into a prefix; ok is false for a non-contiguous mask.
func maskPrefix(addr, mask netip.Addr) (netip.Prefix, bool) {
	m := v4u32(mask)
	ones := bits.LeadingZeros32(^m)
	if uint32(uint64(0xffffffff)<<(32-ones)) != m {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(addr, ones).Masked(), true
}

func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseRange reads strongSwan and ASA address forms: "a.b.c.d",
// "a.b.c.d/n", "2001:db8::/32", "a.b.c.d-e.f.g.h".
func parseRange(s string) (ipSet, bool) {
	s = strings.TrimSpace(s)
	if lo, hi, ok := strings.Cut(s, "-"); ok {
		a, ok1 := parseAddr(lo)
		b, ok2 := parseAddr(hi)
		if !ok1 || !ok2 || a.Is4() != b.Is4() || b.Less(a) {
			return nil, false
		}
		return ipSet{ival{toU128(a), toU128(b)}}, true
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, false
		}
		return prefixSet(netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-func() int {
			if p.Addr().Is4In6() {
				return 96
			}
			return 0
		}())), true
	}
	a, ok := parseAddr(s)
	if !ok {
		return nil, false
	}
	return ipSet{hostIval(a)}, true
}
