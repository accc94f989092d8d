package ios

import "github.com/tunneldoc/tunneldoc/diagnose/internal/testkit"

// The test helpers every vendor package shares (diagnose/internal/testkit).
var (
	sectionFromText = testkit.SectionFromText
	slug            = testkit.Slug
	checkRefs       = testkit.CheckRefs
	fuzzSeeds       = testkit.FuzzSeeds
)

const corpusDir = testkit.CorpusDir
