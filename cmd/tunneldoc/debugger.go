package main

import (
	"context"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/devices"
)

// collectorDebugger is the devices collector as the bot's Debugger: the
// scoped debug the inventory allows per device.
type collectorDebugger struct{ c *devices.Collector }

func (cd collectorDebugger) DebugOffer(peer, device string) (bot.DebugOffer, error) {
	m, window, err := cd.c.DebugTarget(peer, device, 0)
	if err != nil {
		return bot.DebugOffer{}, err
	}
	s := cd.c.DebugCommands(m)
	return bot.DebugOffer{Device: m.Device.Name, Window: window, On: s.On, Trigger: s.Trigger, Off: s.Off}, nil
}

func (cd collectorDebugger) RunDebug(ctx context.Context, peer, device string, window time.Duration, trigger bool, wait func(context.Context, time.Duration) error) (bot.DebugResult, error) {
	run, err := cd.c.RunDebug(ctx, peer, device, devices.DebugOptions{Window: window, Trigger: trigger, Wait: wait})
	if run == nil {
		// refused before anything was sent: nothing is on
		return bot.DebugResult{Device: device, Off: true}, err
	}
	return bot.DebugResult{Device: run.Device, Commands: run.Commands, Transcript: run.Transcript, Off: run.Off, OffErr: run.OffErr}, err
}

func (cd collectorDebugger) TurnOffDebug(ctx context.Context, peer, device string) error {
	return cd.c.TurnOffDebug(ctx, peer, device, devices.DebugOptions{})
}
