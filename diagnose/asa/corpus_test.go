package asa

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"
)

func TestCorpus(t *testing.T) {
	testkit.RunCorpus(t, "cisco_asa", Parsers)
}
