package ios

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

func TestCorpus(t *testing.T) {
	testkit.RunCorpus(t, "cisco_ios", Parsers)
}
