package diagnose

import (
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
