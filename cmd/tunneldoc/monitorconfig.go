package main

import "strings"

// monitorGetenv lets the monitor, which reads TUNNELDOC_MONITOR_*, see the
// config file's monitor.* keys: a key the file sets answers for its
// variable when the environment does not set it (the environment wins, as
// everywhere else in the configuration).
func monitorGetenv(c Config, getenv func(string) string) func(string) string {
	fromFile := map[string]string{}
	for i := range fields {
		f := &fields[i]
		if !strings.HasPrefix(f.env, "TUNNELDOC_MONITOR") || f.get == nil {
			continue
		}
		// sources: "default", "env VAR", or "<file>:<line>" for the file
		if src := c.sources[f.key]; src != "" && src != "default" && !strings.HasPrefix(src, "env ") {
			fromFile[f.env] = f.get(&c)
		}
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return fromFile[k]
	}
}
