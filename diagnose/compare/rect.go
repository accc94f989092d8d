package compare

import (
	"slices"
	"strings"
)

// A crypto ACL, a traffic-selector pair or a NAT rule matches a set of
// (source, destination) address pairs. set2D holds such a set exactly:
// bands of source ranges, each with the destination set it pairs with.
// Bands are sorted, disjoint, and two adjacent bands never hold the same
// destination set, so equal sets have equal representations.
type set2D []band

type band struct {
	src ival
	dst ipSet
}

// rect is one ACL line: every source in src paired with every destination
// in dst, permitted or denied. Lines are read first match wins.
type rect struct {
	src, dst ipSet
	deny     bool
}

// build2D computes the pairs a list of ACL lines permits, first match
// wins. Sources are cut at every line's range ends; within one elementary
// source range every line either covers it whole or not at all.
func build2D(rects []rect) set2D {
	var cuts []u128
	anyDeny := false
	for _, r := range rects {
		if len(r.dst) == 0 {
			continue
		}
		anyDeny = anyDeny || r.deny
		for _, iv := range r.src {
			cuts = append(cuts, iv.lo)
			if iv.hi != maxU128 {
				cuts = append(cuts, iv.hi.inc())
			}
		}
	}
	if len(cuts) == 0 {
		return nil
	}
	slices.SortFunc(cuts, func(a, b u128) int { return a.cmp(b) })
	cuts = slices.Compact(cuts)
	// elementary range k is [cuts[k], cuts[k+1]-1]; the last one ends at max.
	members := make([][]int32, len(cuts))
	for i, r := range rects {
		if len(r.dst) == 0 {
			continue
		}
		for _, iv := range r.src {
			k, _ := slices.BinarySearchFunc(cuts, iv.lo, func(a, b u128) int { return a.cmp(b) })
			for ; k < len(cuts) && cuts[k].cmp(iv.hi) <= 0; k++ {
				members[k] = append(members[k], int32(i))
			}
		}
	}
	var out set2D
	var buf []ival // reused: one elementary range's destinations before merging
	for k, ms := range members {
		if len(ms) == 0 {
			continue
		}
		var dst ipSet
		if !anyDeny {
			buf = buf[:0]
			for _, i := range ms {
				buf = append(buf, rects[i].dst...)
			}
			dst = slices.Clone(mergeInPlace(buf))
		} else {
			var covered ipSet
			for _, i := range ms {
				r := rects[i]
				if !r.deny {
					dst = dst.union(r.dst.minus(covered))
				}
				covered = covered.union(r.dst)
			}
		}
		if len(dst) == 0 {
			continue
		}
		hi := maxU128
		if k+1 < len(cuts) {
			hi = cuts[k+1].dec()
		}
		out = out.appendBand(band{ival{cuts[k], hi}, dst})
	}
	return out
}

// appendBand adds b after the last band, merging it when it continues the
// last band with the same destinations.
func (s set2D) appendBand(b band) set2D {
	if n := len(s); n > 0 {
		last := &s[n-1]
		if last.src.hi != maxU128 && last.src.hi.inc() == b.src.lo && last.dst.equal(b.dst) {
			last.src.hi = b.src.hi
			return s
		}
	}
	return append(s, b)
}

// combine applies op to the destination sets of a and b over every
// source range.
func combine(a, b set2D, op func(x, y ipSet) ipSet) set2D {
	var cuts []u128
	for _, s := range []set2D{a, b} {
		for _, bd := range s {
			cuts = append(cuts, bd.src.lo)
			if bd.src.hi != maxU128 {
				cuts = append(cuts, bd.src.hi.inc())
			}
		}
	}
	slices.SortFunc(cuts, func(x, y u128) int { return x.cmp(y) })
	cuts = slices.Compact(cuts)
	var out set2D
	i, j := 0, 0
	for k, lo := range cuts {
		hi := maxU128
		if k+1 < len(cuts) {
			hi = cuts[k+1].dec()
		}
		for i < len(a) && a[i].src.hi.cmp(lo) < 0 {
			i++
		}
		for j < len(b) && b[j].src.hi.cmp(lo) < 0 {
			j++
		}
		var x, y ipSet
		if i < len(a) && a[i].src.lo.cmp(lo) <= 0 {
			x = a[i].dst
		}
		if j < len(b) && b[j].src.lo.cmp(lo) <= 0 {
			y = b[j].dst
		}
		if d := op(x, y); len(d) > 0 {
			out = out.appendBand(band{ival{lo, hi}, d})
		}
	}
	return out
}

func (s set2D) minus(t set2D) set2D { return combine(s, t, ipSet.minus) }
func (s set2D) intersect(t set2D) set2D {
	return combine(s, t, ipSet.intersect)
}
func (s set2D) union(t set2D) set2D { return combine(s, t, ipSet.union) }

func (s set2D) equal(t set2D) bool {
	return slices.EqualFunc(s, t, func(a, b band) bool { return a.src == b.src && a.dst.equal(b.dst) })
}

// mirror swaps source and destination: what the far end's ACL must say.
func (s set2D) mirror() set2D {
	var rs []rect
	for _, b := range s {
		for _, d := range b.dst {
			rs = append(rs, rect{src: ipSet{d}, dst: ipSet{b.src}})
		}
	}
	return build2D(rs)
}

// rects lists s as ACL lines, for feeding into build2D again.
func (s set2D) rects(deny bool) []rect {
	out := make([]rect, len(s))
	for i, b := range s {
		out[i] = rect{src: ipSet{b.src}, dst: b.dst, deny: deny}
	}
	return out
}

// String lists the pairs as "src -> dst", grouping sources that pair
// with the same destinations, at most limit lines.
func (s set2D) describe(limit int) []string {
	type group struct {
		src ipSet
		dst ipSet
	}
	var groups []group
	for _, b := range s {
		found := false
		for i := range groups {
			if groups[i].dst.equal(b.dst) {
				groups[i].src = groups[i].src.union(ipSet{b.src})
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, group{ipSet{b.src}, b.dst})
		}
	}
	var out []string
	for _, g := range groups {
		if len(out) == limit {
			out = append(out, "...")
			break
		}
		out = append(out, g.src.String()+" -> "+g.dst.String())
	}
	return out
}

func (s set2D) String() string { return strings.Join(s.describe(6), "; ") }
