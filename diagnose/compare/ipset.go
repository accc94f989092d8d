package compare

import (
	"math/bits"
	"net/netip"
	"slices"
)

// u128 is an address as one 128-bit number. IPv4 addresses live in the
// IPv4-mapped block (::ffff:0:0/96) so that one type covers both families
// without the two ever overlapping.
type u128 struct{ hi, lo uint64 }

var maxU128 = u128{^uint64(0), ^uint64(0)}

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) inc() u128 {
	lo, c := bits.Add64(a.lo, 1, 0)
	return u128{a.hi + c, lo}
}

func (a u128) dec() u128 {
	lo, b := bits.Sub64(a.lo, 1, 0)
	return u128{a.hi - b, lo}
}

func (a u128) addr() netip.Addr {
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(a.hi >> (56 - 8*i))
		b[8+i] = byte(a.lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(b).Unmap()
}

func toU128(a netip.Addr) u128 {
	b := a.As16() // IPv4 comes back IPv4-mapped
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return u128{hi, lo}
}

// ival is an inclusive address range.
type ival struct{ lo, hi u128 }

// ipSet is a set of addresses: sorted, disjoint, non-adjacent ranges.
type ipSet []ival

var (
	v4Any = ival{u128{0, 0xffff00000000}, u128{0, 0xffffffffffff}}
	// v6Any is every IPv6 address except the IPv4-mapped block, which
	// stands for IPv4 here.
	v6Any = ipSet{{u128{}, u128{0, 0xfffeffffffff}}, {u128{0, 0x1000000000000}, maxU128}}
)

func hostIval(a netip.Addr) ival { u := toU128(a); return ival{u, u} }

func prefixIval(p netip.Prefix) ival {
	p = p.Masked()
	lo := toU128(p.Addr())
	host := 128 - p.Bits()
	if p.Addr().Is4() {
		host = 32 - p.Bits()
	}
	var span u128
	switch {
	case host >= 128:
		span = maxU128
	case host >= 64:
		span = u128{(uint64(1) << (host - 64)) - 1, ^uint64(0)}
	case host > 0:
		span = u128{0, (uint64(1) << host) - 1}
	}
	hi := u128{lo.hi | span.hi, lo.lo | span.lo}
	return ival{lo, hi}
}

// prefixSet is the addresses of p; for an IPv6 prefix covering the
// IPv4-mapped block (::/0), that block is left out.
func prefixSet(p netip.Prefix) ipSet {
	iv := prefixIval(p)
	if p.Addr().Is6() && !p.Addr().Is4In6() && p.Bits() <= 96 {
		return ipSet{iv}.minus(ipSet{v4Any})
	}
	return ipSet{iv}
}

func makeSet(ivs []ival) ipSet {
	if len(ivs) == 0 {
		return nil
	}
	return mergeInPlace(slices.Clone(ivs))
}

// mergeInPlace sorts and merges s, reusing its storage.
func mergeInPlace(s []ival) ipSet {
	if len(s) == 0 {
		return nil
	}
	slices.SortFunc(s, func(a, b ival) int { return a.lo.cmp(b.lo) })
	out := s[:1]
	for _, iv := range s[1:] {
		last := &out[len(out)-1]
		if last.hi == maxU128 || iv.lo.cmp(last.hi.inc()) <= 0 {
			if iv.hi.cmp(last.hi) > 0 {
				last.hi = iv.hi
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}

func (s ipSet) union(t ipSet) ipSet {
	if len(t) == 0 {
		return s
	}
	if len(s) == 0 {
		return t
	}
	all := make([]ival, 0, len(s)+len(t))
	return makeSet(append(append(all, s...), t...))
}

func (s ipSet) intersect(t ipSet) ipSet {
	var out ipSet
	i, j := 0, 0
	for i < len(s) && j < len(t) {
		lo, hi := s[i].lo, s[i].hi
		if t[j].lo.cmp(lo) > 0 {
			lo = t[j].lo
		}
		if t[j].hi.cmp(hi) < 0 {
			hi = t[j].hi
		}
		if lo.cmp(hi) <= 0 {
			out = append(out, ival{lo, hi})
		}
		if s[i].hi.cmp(t[j].hi) < 0 {
			i++
		} else {
			j++
		}
	}
	return out
}

func (s ipSet) minus(t ipSet) ipSet {
	var out ipSet
	j := 0
	for _, iv := range s {
		lo := iv.lo
		done := false
		for j < len(t) && t[j].hi.cmp(lo) < 0 {
			j++
		}
		for k := j; k < len(t) && t[k].lo.cmp(iv.hi) <= 0; k++ {
			if t[k].lo.cmp(lo) > 0 {
				out = append(out, ival{lo, t[k].lo.dec()})
			}
			if t[k].hi.cmp(iv.hi) >= 0 {
				done = true
				break
			}
			lo = t[k].hi.inc()
		}
		if !done {
			out = append(out, ival{lo, iv.hi})
		}
	}
	return out
}

func (s ipSet) equal(t ipSet) bool { return slices.Equal(s, t) }

// prefixes splits s into the fewest CIDR prefixes, at most limit of them;
// more reports whether some were left out.
func (s ipSet) prefixes(limit int) (out []netip.Prefix, more bool) {
	for _, iv := range s {
		lo := iv.lo
		for {
			if len(out) == limit {
				return out, true
			}
			// largest aligned block starting at lo that stays within hi
			size := 0 // host bits
			for size < 128 {
				n := size + 1
				var mask u128
				if n >= 64 {
					mask = u128{(uint64(1) << (n - 64)) - 1, ^uint64(0)}
					if n == 128 {
						mask = maxU128
					}
				} else {
					mask = u128{0, (uint64(1) << n) - 1}
				}
				if lo.hi&mask.hi != 0 || lo.lo&mask.lo != 0 {
					break
				}
				end := u128{lo.hi | mask.hi, lo.lo | mask.lo}
				if end.cmp(iv.hi) > 0 {
					break
				}
				size = n
			}
			a := lo.addr()
			bitsLen := 128 - size
			if a.Is4() {
				bitsLen = 32 - size
				if bitsLen < 0 { // a block spilling out of the mapped range
					a = netip.AddrFrom16(a.As16())
					bitsLen = 128 - size
				}
			}
			out = append(out, netip.PrefixFrom(a, bitsLen))
			var span u128
			switch {
			case size >= 128:
				span = maxU128
			case size >= 64:
				span = u128{(uint64(1) << (size - 64)) - 1, ^uint64(0)}
			case size > 0:
				span = u128{0, (uint64(1) << size) - 1}
			}
			end := u128{lo.hi | span.hi, lo.lo | span.lo}
			if end.cmp(iv.hi) >= 0 || end == maxU128 {
				break
			}
			lo = end.inc()
		}
	}
	return out, false
}

// span is the smallest prefix holding all of s.
func (s ipSet) span() (netip.Prefix, bool) {
	if len(s) == 0 {
		return netip.Prefix{}, false
	}
	lo, hi := s[0].lo, s[len(s)-1].hi
	n := bits.LeadingZeros64(lo.hi ^ hi.hi)
	if n == 64 {
		n += bits.LeadingZeros64(lo.lo ^ hi.lo)
	}
	a := lo.addr()
	if a.Is4() {
		if n < 96 {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(a, n-96).Masked(), true
	}
	return netip.PrefixFrom(a, n).Masked(), true
}

// String names s as CIDRs, "any" for all of IPv4; a prefix with a few
// holes reads as "P except Q" rather than a long list.
func (s ipSet) String() string {
	if len(s) == 1 && s[0] == v4Any {
		return "any"
	}
	if all, _ := s.prefixes(4); len(all) > 3 {
		if p, ok := s.span(); ok {
			hole := prefixSet(p).minus(s)
			if len(hole) == 0 {
				return prefixName(p)
			}
			if hp, more := hole.prefixes(3); !more && len(hp) < len(all) {
				return prefixName(p) + " except " + hole.list()
			}
		}
	}
	return s.list()
}

func prefixName(p netip.Prefix) string {
	switch {
	case p.Addr().Is4() && p.Bits() == 0:
		return "any"
	case p.Bits() == p.Addr().BitLen():
		return p.Addr().String()
	}
	return p.String()
}

func (s ipSet) list() string {
	ps, more := s.prefixes(6)
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += ", "
		}
		if (p.Addr().Is4() && p.Bits() == 32) || (p.Addr().Is6() && p.Bits() == 128) {
			out += p.Addr().String()
		} else {
			out += p.String()
		}
	}
	if more {
		out += ", ..."
	}
	return out
}
