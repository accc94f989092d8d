package diagnose

import (
	"fmt"
	"strings"
	"testing"
)

// logItems cuts text into the items the reading goroutine hands the
// worker, without a worker: the log lines matchLog would see, in order.
func logItems(text string) []item {
	e := newEngine(Options{})
	e.items = make(chan []item, 1<<16)
	e.batchFree = make(chan []item, maxBatches)
	e.batchesMade = -1 << 30 // always a fresh batch: nothing comes back
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if len(line) > MaxLineBytes {
			line = line[:MaxLineBytes]
		}
		e.lines = n + 1
		e.feed(e.lines, line)
	}
	e.flush()
	e.sendBatch()
	close(e.items)
	var out []item
	for b := range e.items {
		for _, it := range b {
			if it.kind == itemLog {
				out = append(out, it)
			}
		}
	}
	return out
}

// matchAll runs matchLog over items as the worker would.
func matchAll(items []item) *engine {
	e := newEngine(Options{})
	e.work = workState{sec: -2, renames: map[int]string{}}
	for i := range items {
		it := &items[i]
		w := &e.work
		if it.sec != w.sec {
			w.sec, w.vendor, w.name = it.sec, it.vendor, it.name
			e.context = ""
		}
		if it.maskSet {
			e.workMask = maskCache{text: it.line.Text, mask: it.mask, valid: true}
		}
		e.rawBuf = append(append(e.rawBuf[:0], it.raw), it.more...)
		e.matchLog(it.line, e.rawBuf)
	}
	return e
}

// BenchmarkMatchLog is the log matcher alone (the worker's share of a
// debug paste): every log line of the paste through matchLog.
func BenchmarkMatchLog(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   string
	}{
		{"mixed-debug-1MB", mixedDebugPaste(b, 1<<20)},
		{"debug-session-1MB", debugSession(b, 1<<20)},
	} {
		items := logItems(bc.in)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for b.Loop() {
				e := matchAll(items)
				if len(e.facts.Events) == 0 {
					b.Fatal("no events")
				}
			}
		})
	}
}

// hubConfig is a hub's IKE policy, its crypto map with an entry per peer
// and its IKE SA table: rules that read the configuration meet every
// entry for every peer.
func hubConfig(peers int) string {
	var sb strings.Builder
	sb.WriteString("hub#sh cry isa pol\n\nGlobal IKE policy\nProtection suite of priority 20\n\tencryption algorithm:\tAES - Advanced Encryption Standard (256 bit keys).\n\thash algorithm:\t\tSecure Hash Standard\n\tauthentication method:\tPre-Shared Key\n\tDiffie-Hellman group:\t#14 (2048 bit)\n\tlifetime:\t\t86400 seconds, no volume limit\n")
	sb.WriteString("hub#sh cry map\n")
	for i := range peers {
		fmt.Fprintf(&sb, "Crypto Map IPv4 \"HQ\" %d ipsec-isakmp\n\tPeer = 10.%d.%d.1\n\tExtended IP access list %d\n\t    access-list %d permit ip 10.0.0.0 0.255.255.255 172.%d.%d.0 0.0.0.255\n\tCurrent peer: 10.%d.%d.1\n\tSecurity association lifetime: 4608000 kilobytes/3600 seconds\n\tPFS (Y/N): N\n\tTransform sets={\n\t\tAES256-SHA:  { esp-256-aes esp-sha-hmac  } ,\n\t}\n\tInterfaces using crypto map HQ:\n\t\tGigabitEthernet0/0\n\n",
			10+i, i/250, i%250, 100+i, 100+i, 16+i/250, i%250, i/250, i%250)
	}
	sb.WriteString("hub#show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n")
	for i := range peers {
		fmt.Fprintf(&sb, "10.%d.%d.1       192.0.2.1       QM_IDLE           %d ACTIVE\n", i/250, i%250, 1000+i)
	}
	return sb.String()
}

// BenchmarkReport is the report alone (rules over every peer, evidence,
// fixes), on facts already read: it runs after all input is read, so it
// is all critical path.
func BenchmarkReport(b *testing.B) {
	for _, bc := range []struct {
		name string
		in   string
	}{
		{"mixed-debug-1MB", mixedDebugPaste(b, 1<<20)},
		{"debug-session-1MB", debugSession(b, 1<<20)},
		{"ipsec-sa-200-peers", ipsecSA200()},
		{"hub-config-300-peers", hubConfig(300)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				e := newEngine(Options{})
				e.readString(bc.in)
				b.StartTimer()
				rep := e.report()
				b.StopTimer()
				e.abandon()
				if rep.Cause == "" {
					b.Fatal("no report")
				}
				b.StartTimer()
			}
		})
	}
}
