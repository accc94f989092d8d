package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// monitorFault runs one monitor fault scenario and checks, at the fake
// Slack, that every outage got exactly one root, one diagnosis and one
// resolution.
//
// Two groups of tunnels, A and B, spread over the hubs. Phase 1: A goes
// down; as soon as the first root is posted (the monitor is in the middle
// of its transitions) the fault strikes, and B goes down while it lasts.
// Phase 2: A comes back up; at its first resolution the fault strikes
// again, and B comes up while it lasts. "redis": the redis-server (with
// appendfsync always) is SIGKILLed and restarted after -outage. "replica":
// -replicas bots share Redis, and the one holding the most device leases
// is SIGKILLed (it is not restarted).
func monitorFault(ctx context.Context, o options, kind string) error {
	n, err := strconv.Atoi(strings.TrimSpace(strings.Split(mon.tunnels, ",")[0]))
	if err != nil || n < 2 {
		return fmt.Errorf("-tunnels %q: want one count for a fault run, such as 40", mon.tunnels)
	}
	if 2*mon.down > n || mon.down <= 0 {
		return fmt.Errorf("-down %d: want 1..%d for %d tunnels", mon.down, n/2, n)
	}
	bots := 1
	if kind == "replica" {
		bots = mon.replicas
		if bots < 3 {
			return fmt.Errorf("-replicas %d: the replica run kills two, so it needs at least 3", bots)
		}
	}
	e, err := startMonEnv(ctx, o, n, mon.perDevice, kind == "redis")
	if err != nil {
		return err
	}
	defer e.close()
	if o.keep {
		fmt.Printf("work directory: %s\n", e.work)
	}
	var procs []*botProc
	defer func() {
		for _, b := range procs {
			b.stop()
		}
	}()
	for i := range bots {
		b, err := e.startBot(ctx, o, fmt.Sprintf("bot%d", i+1))
		if err != nil {
			return err
		}
		procs = append(procs, b)
	}
	// every bot has run a round (the first bot has polled every tunnel)
	for _, b := range procs {
		if err := waitLog(ctx, b, `msg="monitor round"`, 2*mon.interval+time.Minute); err != nil {
			return err
		}
		for _, l := range readLines(b.logPath) {
			if strings.Contains(l, `msg="monitor running"`) {
				b.replica = parseKV(l)["replica"]
			}
		}
	}
	fmt.Printf("%s fault run: %d tunnels on %d hubs, %d bot(s), interval %s, groups of %d\n", kind, n, len(e.hubs), len(procs), mon.interval, mon.down)

	type tun struct{ hub, peer string }
	var A, B []tun
	for i := 0; i < 2*mon.down; i++ {
		h := e.hubs[i%len(e.hubs)]
		t := tun{h.Name, h.Peers()[(i/len(e.hubs))%len(h.Peers())]}
		if i < mon.down {
			A = append(A, t)
		} else {
			B = append(B, t)
		}
	}
	set := func(g []tun, down bool) {
		for _, t := range g {
			for _, h := range e.hubs {
				if h.Name == t.hub {
					_ = h.Set(t.peer, down)
				}
			}
		}
	}
	peers := func(g ...[]tun) []string {
		var out []string
		for _, x := range g {
			for _, t := range x {
				out = append(out, t.peer)
			}
		}
		return out
	}
	all := peers(A, B)
	start := time.Now()
	var lastStrike time.Time
	strike := func(other []tun, down bool) error {
		lastStrike = time.Now()
		switch kind {
		case "redis":
			fmt.Printf("  +%s fault: redis-server SIGKILLed\n", time.Since(start).Round(time.Millisecond))
			e.rs.kill()
			set(other, down)
			time.Sleep(mon.outage)
			if err := e.rs.restart(ctx); err != nil {
				return fmt.Errorf("redis restart: %w", err)
			}
			fmt.Printf("  +%s fault: redis-server back\n", time.Since(start).Round(time.Millisecond))
		case "replica":
			victim := leaseHolder(ctx, e, procs)
			if victim == nil {
				return fmt.Errorf("no live bot holds a device lease")
			}
			fmt.Printf("  +%s fault: %s (replica %s, pid %d, holding the device leases) SIGKILLed\n", time.Since(start).Round(time.Millisecond), victim.name, victim.replica, victim.pid)
			victim.kill()
			set(other, down)
		}
		return nil
	}
	inA := func(p string) bool {
		for _, t := range A {
			if t.peer == p {
				return true
			}
		}
		return false
	}

	// phase 1: down
	set(A, true)
	fmt.Printf("  +%s group A (%d tunnels) down\n", time.Since(start).Round(time.Millisecond), len(A))
	if err := e.slack.waitThreads(ctx, "the first root of group A", mon.timeout, func(th map[string]*thread) bool {
		for p := range th {
			if inA(p) {
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	if err := strike(B, true); err != nil {
		return err
	}
	fmt.Printf("  +%s group B (%d tunnels) down during the fault\n", time.Since(start).Round(time.Millisecond), len(B))
	if err := e.slack.waitThreads(ctx, "a root and a diagnosis for every tunnel down", mon.timeout, func(th map[string]*thread) bool {
		for _, p := range all {
			if t := th[p]; t == nil || t.diagnoses == 0 {
				return false
			}
		}
		return true
	}); err != nil {
		report(e, all)
		return err
	}
	fmt.Printf("  +%s every tunnel down has its root and diagnosis\n", time.Since(start).Round(time.Millisecond))

	// phase 2: up
	set(A, false)
	fmt.Printf("  +%s group A up\n", time.Since(start).Round(time.Millisecond))
	if err := e.slack.waitThreads(ctx, "the first resolution of group A", mon.timeout, func(th map[string]*thread) bool {
		for p, t := range th {
			if inA(p) && t.resolved > 0 {
				return true
			}
		}
		return false
	}); err != nil {
		return err
	}
	if err := strike(B, false); err != nil {
		return err
	}
	fmt.Printf("  +%s group B up during the fault\n", time.Since(start).Round(time.Millisecond))
	if err := e.slack.waitThreads(ctx, "a resolution for every tunnel", mon.timeout, func(th map[string]*thread) bool {
		for _, p := range all {
			if t := th[p]; t == nil || t.resolved == 0 {
				return false
			}
		}
		return true
	}); err != nil {
		report(e, all)
		return err
	}
	// A post the killed replica claimed but did not record is retried once
	// its claim expires (2 x the check timeout, 20 s, after the kill): watch
	// past that, so a repeated post is counted.
	watch := max(3*mon.interval, time.Until(lastStrike.Add(2*monCheckTimeout+3*mon.interval)))
	fmt.Printf("  +%s every tunnel resolved; watching %s more for duplicates (until the claims of the last kill expired, plus 3 rounds)\n", time.Since(start).Round(time.Millisecond), watch.Round(time.Millisecond))
	time.Sleep(watch)
	bad := report(e, all)
	alive := 0
	for _, b := range procs {
		if b.cmd.ProcessState == nil {
			alive++
			if kind == "redis" {
				rounds := 0
				for _, l := range readLines(b.logPath) {
					if strings.Contains(l, `msg="monitor round"`) {
						rounds++
					}
				}
				fmt.Printf("%s: still running (not restarted), %d monitor rounds logged, %d ERROR lines\n", b.name, rounds, countLines(b.logPath, "level=ERROR"))
			}
		}
	}
	fmt.Printf("bots alive at the end: %d of %d\n", alive, len(procs))
	adopted := 0
	for _, b := range procs {
		adopted += countLines(b.logPath, "an earlier attempt at this post reached Slack")
	}
	fmt.Printf("posts found in Slack by delivery id and adopted instead of posted again: %d\n", adopted)
	if bad > 0 {
		return fmt.Errorf("%d tunnels with a lost or duplicated notification", bad)
	}
	return nil
}

// report prints what Slack holds for the tunnels and returns how many are
// wrong: each must have exactly one root, one diagnosis, one resolution
// and nothing else; no other tunnel may have a thread.
func report(e *monEnv, want []string) int {
	th := e.slack.threads()
	bad := 0
	roots, diags, res := 0, 0, 0
	wanted := map[string]bool{}
	for _, p := range want {
		wanted[p] = true
		t := th[p]
		if t == nil {
			t = &thread{}
		}
		roots += t.roots
		diags += t.diagnoses
		res += t.resolved
		if t.roots != 1 || t.diagnoses != 1 || t.resolved > 1 || len(t.other) > 0 {
			bad++
			fmt.Printf("  %s: %d roots, %d diagnoses, %d resolutions, other replies %q\n", p, t.roots, t.diagnoses, t.resolved, t.other)
		}
	}
	var extra []string
	for p := range th {
		if !wanted[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		bad += len(extra)
		fmt.Printf("  threads for tunnels that never went down: %v\n", extra)
	}
	e.slack.mu.Lock()
	lookups := e.slack.lookups
	e.slack.mu.Unlock()
	fmt.Printf("Slack: %d tunnels went down; %d roots, %d diagnoses, %d resolutions; %d tunnels wrong; %d delivery look-ups (conversations.history/replies)\n", len(want), roots, diags, res, bad, lookups)
	return bad
}

// leaseHolder is the live bot holding the most device leases.
func leaseHolder(ctx context.Context, e *monEnv, procs []*botProc) *botProc {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	count := map[string]int{}
	it := e.rdb.Scan(cctx, 0, "*mon:lease:device:*", 1000).Iterator()
	for it.Next(cctx) {
		v, err := e.rdb.Get(cctx, it.Val()).Result()
		if err == nil {
			count[v]++
		}
	}
	var best *botProc
	bestN := 0
	for _, b := range procs {
		if b.cmd.ProcessState != nil || b.replica == "" {
			continue
		}
		n := 0
		for tok, c := range count {
			if strings.HasPrefix(tok, b.replica+"-") {
				n += c
			}
		}
		if n > bestN {
			best, bestN = b, n
		}
	}
	return best
}

// waitLog waits until the bot's log has a line containing substr.
func waitLog(ctx context.Context, b *botProc, substr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if countLines(b.logPath, substr) > 0 {
			return nil
		}
		select {
		case err := <-b.exited:
			b.exited <- err
			return fmt.Errorf("%s exited: %v (log: %s)", b.name, err, tail(b.logPath))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s logged no %s within %s (log: %s)", b.name, substr, limit, tail(b.logPath))
}
