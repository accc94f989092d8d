package diagnose

import (
	"encoding/json"
	"os"
	"testing"
)

func TestDebugFacts(t *testing.T) {
	p := os.Getenv("DBG")
	if p == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(p)
	f := Facts(string(b), Options{Peer: os.Getenv("DBGPEER")})
	j, _ := json.MarshalIndent(f, "", " ")
	t.Log(string(j))
}
