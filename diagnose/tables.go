package diagnose

import (
	"github.com/tunneldoc/tunneldoc/diagnose/asa"
	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/gateways"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
	"github.com/tunneldoc/tunneldoc/diagnose/libreswan"
)

// tables returns the parser tables, every vendor's, or one vendor's when
// the caller forces it. One explicit list: a new vendor is one line here.
func tables(force facts.Vendor) ([]facts.Parser, []facts.LineParser) {
	type vendorTables struct {
		vendor facts.Vendor
		show   []facts.Parser
		logs   []facts.LineParser
	}
	all := []vendorTables{
		// ASA first: its entries for the commands both vendors share hand
		// router-style text on to the IOS readers, not the other way round.
		{facts.VendorASA, asaParsers(), asa.LineParsers},
		{facts.VendorIOS, iosParsers(), ios.LineParsers},
		{facts.VendorStrongSwan, strongswanParsers(), strongswanLineParsers()},
		// the gateways read in part (Junos, ScreenOS, Yamaha, PAN-OS, FortiOS,
		// RouterOS, Huawei, ZyXEL, Comware, Azure, AWS, racoon)
		{"gateways", gateways.Parsers, gateways.LineParsers},
		{facts.VendorLibreswan, libreswan.Parsers, libreswan.LineParsers},
	}
	var show []facts.Parser
	var logs []facts.LineParser
	for _, t := range all {
		if force == "" || force == "auto" || force == t.vendor {
			show = append(show, t.show...)
			logs = append(logs, t.logs...)
			continue
		}
		// a gateway forced by its own name ("junos"): its entries only
		for _, p := range t.show {
			if p.Vendor == force && force != gateways.VendorPing {
				show = append(show, p)
			}
		}
		for _, p := range t.logs {
			if p.Vendor == force {
				logs = append(logs, p)
			}
		}
	}
	return show, logs
}

// Vendors lists the names Options.Vendor may force, besides "auto": the
// vendors read in depth, then each gateway with an entry of its own.
func Vendors() []string {
	out := []string{string(facts.VendorIOS), string(facts.VendorASA), string(facts.VendorStrongSwan), string(facts.VendorLibreswan)}
	seen := map[facts.Vendor]bool{}
	add := func(v facts.Vendor) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, string(v))
		}
	}
	for _, p := range gateways.Parsers {
		add(p.Vendor)
	}
	for _, p := range gateways.LineParsers {
		add(p.Vendor)
	}
	return out
}
