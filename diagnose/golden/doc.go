// Package golden is the repository's one golden-file helper and the one
// -update flag: Check compares what a test produced with a file under
// testdata/, shows the lines that differ, and under `go test -update`
// rewrites the file instead. `go test ./... -update` refreshes every golden
// of the module; review the result with git diff.
//
// It is test support: only _test.go files import it (the engine's purity
// test and cmd/tunneldoc's dependency test check that), so the flag never
// reaches a binary. It lives under diagnose because that is the one tree
// every other part (bot, cmd, devices) may import while diagnose imports
// none of them, and outside an internal/ folder because Go's internal rule
// would hide it from those parts.
//
// A test package with no goldens imports it for its flag alone (a blank
// import in update_test.go), so that -update, given to the whole module,
// is a flag every test binary knows.
package golden
