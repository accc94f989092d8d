// Package testkit holds what the vendor packages' tests share: building a
// Section from text, the public-corpus comparison, fuzz seeds and the
// "every fact points inside its section" check. It reads files, so it is
// test support only: no non-test file may import it (the engine's purity
// test checks both).
package testkit
