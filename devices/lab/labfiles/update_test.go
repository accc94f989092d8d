package labfiles_test

// The module's one -update flag, so that `go test ./... -update` runs
// this package's tests too (it has no golden files of its own).
import _ "github.com/tunneldoc/tunneldoc/diagnose/golden"
