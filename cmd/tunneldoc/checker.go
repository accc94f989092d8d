package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/devices"
)

// The devices package behind the bot's `check tunnel`: wired here, the one
// place that knows both.
func init() { tunnelCheckerFromEnv = devicesCheckerFromEnv }

// devicesCheckerFromEnv loads the inventory named by TUNNELDOC_INVENTORY;
// unset means no inventory (the bot then asks for pasted output).
func devicesCheckerFromEnv(ctx context.Context, getenv func(string) string, log *slog.Logger) (bot.TunnelChecker, error) {
	path := getenv("TUNNELDOC_INVENTORY")
	if path == "" {
		return nil, nil
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", path, err)
	}
	return collectorChecker{devices.NewCollector(inv, devices.CollectorOptions{Logger: log, Getenv: getenv})}, nil
}

type collectorChecker struct{ c *devices.Collector }

// CheckTunnel collects from the device (or every device terminating the
// peer) and hands back one transcript. A partial transcript comes back
// with the error, so what was read is still diagnosed.
func (cc collectorChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	cols, err := cc.c.Check(ctx, peer, device)
	var res bot.CheckResult
	var names []string
	var tr strings.Builder
	for _, col := range cols {
		if col == nil {
			continue
		}
		names = append(names, col.Device)
		tr.WriteString(col.Transcript())
		for _, r := range col.Results {
			res.Commands = append(res.Commands, r.Command)
		}
		res.Duration = max(res.Duration, col.Duration)
	}
	res.Device = strings.Join(names, ", ")
	res.Transcript = tr.String()
	return res, err
}

// ResolvePeer tells the bot before it posts anything whether the inventory
// knows peer (and device): an unknown one gets the near-match answer and
// no incident.
func (cc collectorChecker) ResolvePeer(peer, device string) error {
	_, err := cc.c.Inventory().Lookup(peer, device)
	return err
}
