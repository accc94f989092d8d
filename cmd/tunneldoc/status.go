package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
)

// statusIncident is one open incident as `tunneldoc status --json` prints
// it: what an operator or a test checks without reading prose.
type statusIncident struct {
	ID        string    `json:"incident_id"`
	Peer      string    `json:"peer"`
	Device    string    `json:"device,omitempty"`
	Tunnel    string    `json:"tunnel"`
	Status    string    `json:"status"` // open or acknowledged
	Phase     string    `json:"phase"`  // of the latest diagnosis; "" before the first
	Cause     string    `json:"cause"`
	Channel   string    `json:"channel"`
	Thread    string    `json:"thread"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// statusReport is the whole `status --json` answer.
type statusReport struct {
	Store string           `json:"store"` // the Redis read, without credentials
	Open  []statusIncident `json:"open"`
}

// runStatus is `tunneldoc status [--json] [--config FILE]`: the open
// incidents in the configured Redis. Without Redis the incidents live in
// a running bot's memory, out of this process's reach, and it says so.
func runStatus(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON: the store and every open incident")
	path := fs.String("config", "", "config file (default $TUNNELDOC_CONFIG)")
	if !parseFlagsOnly(fs, args, stderr) {
		return 2
	}
	c, err := loadConfig(*path, getenv)
	if err != nil && !onlyOutsideRedis(err) {
		fmt.Fprintf(stderr, "tunneldoc status: %v\n", err)
		return 2
	}
	if err != nil {
		// A shell seldom has the bot's tokens or device passwords: status
		// needs only the redis section, so other problems are a note.
		fmt.Fprintf(stderr, "tunneldoc status: the configuration has problems outside the redis section (tunneldoc config check lists them); reading Redis anyway\n")
	}
	url := c.RedisURL().Reveal()
	if url == "" {
		fmt.Fprintf(stderr, "tunneldoc status: no Redis is configured ($%s is not set): incidents then live only in the memory of the running tunneldoc, which this command cannot read; ask the bot `status` instead, or configure Redis (README, \"Configuration\")\n", c.Redis.URLEnv)
		return 1
	}
	r, err := redisstore.OpenURL(url, c.Store)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc status: %v\n", err)
		return 1
	}
	defer r.Close()
	where := redisstore.Describe(url)
	qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	open, err := r.ListOpen(qctx)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc status: reading the open incidents from %s: %v\n", where, err)
		return 1
	}
	rep := statusReport{Store: where, Open: []statusIncident{}}
	for _, in := range open {
		rep.Open = append(rep.Open, statusOf(in))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "tunneldoc status: %v\n", err)
			return 1
		}
		return 0
	}
	if len(rep.Open) == 0 {
		fmt.Fprintf(stdout, "no open incidents in %s\n", where)
		return 0
	}
	fmt.Fprintf(stdout, "%d open incident(s) in %s\n\n", len(rep.Open), where)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INCIDENT\tPEER\tDEVICE\tSTATUS\tPHASE\tCAUSE\tCHANNEL\tTHREAD")
	for _, s := range rep.Open {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Peer, orDash(s.Device), s.Status, orDash(s.Phase), orDash(s.Cause), s.Channel, s.Thread)
	}
	tw.Flush()
	return 0
}

// onlyOutsideRedis reports whether err is a configuration whose problems
// all lie outside the redis section.
func onlyOutsideRedis(err error) bool {
	var ce *ConfigError
	if !errors.As(err, &ce) {
		return false
	}
	for _, p := range ce.Problems {
		if p.Key == "" || strings.HasPrefix(p.Key, "redis.") {
			return false
		}
	}
	return true
}

func statusOf(in store.Incident) statusIncident {
	s := statusIncident{
		ID: in.ID, Peer: in.Peer, Device: in.Device, Tunnel: in.Tunnel, Status: in.Status,
		Channel: in.Channel, Thread: in.ThreadTS, FirstSeen: in.FirstSeen, LastSeen: in.LastSeen,
	}
	if d, ok := in.Latest(); ok {
		s.Phase, s.Cause = d.Phase, d.Cause
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
