package diagnose

import (
	"github.com/tunneldoc/tunneldoc/diagnose/asa"
	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/ios"
	"github.com/tunneldoc/tunneldoc/diagnose/libreswan"
	"github.com/tunneldoc/tunneldoc/diagnose/strongswan"
)

func iosParsers() []facts.Parser                { return ios.Parsers }
func asaParsers() []facts.Parser                { return asa.Parsers }
func strongswanParsers() []facts.Parser         { return strongswan.Parsers }
func strongswanLineParsers() []facts.LineParser { return strongswan.LineParsers }

// correlators derive facts that need several lines of one vendor's logs;
// they run once, after every section is read.
var correlators = []func(*facts.Facts){ios.FixIKEDirection, strongswan.Correlate, libreswan.Correlate}
