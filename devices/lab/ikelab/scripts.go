package ikelab

import "embed"

// Scripts holds lib.sh and real.sh, the files the live lab runs.
//
//go:embed lib.sh real.sh
var Scripts embed.FS
