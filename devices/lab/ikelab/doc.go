// Package ikelab carries the IKE lab's shell scripts (lib.sh, the
// building blocks; gen.sh, the engine's real-negotiation testdata; real.sh,
// the live lab behind `tunneldoc lab --real`) so that a built binary can
// run them from anywhere.
package ikelab
