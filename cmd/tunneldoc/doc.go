// Command tunneldoc diagnoses IPsec VPN tunnels from device output, in a
// terminal or as a Slack bot. See README.md.
//
// How the command is put together:
//
//   - main.go: main hands the process (arguments, os.Getenv, standard
//     streams) to run, which tests call the same way; the usage text.
//   - dispatch.go: the command table run looks a command up in.
//   - config.go: the one configuration loader: defaults, then the YAML
//     file, then the environment overrides, then the secrets the *_env
//     keys and the device inventory name. Config has a section per part;
//     nothing else reads the environment (envread_test.go holds that).
//     `config check` is its report.
//   - serve.go: `serve` / `console`: Main builds every part from Config
//     (logger, metrics, store, operations endpoint, device collector,
//     monitor, transport) and runs it; Close releases them.
//   - ops.go: the operations endpoint's wiring (/healthz, /readyz,
//     /metrics) and the metrics wrappers around the checker.
//   - checker.go, monitor.go: the devices collector as the bot's
//     `check tunnel` and as the monitor's poller; the monitor's start.
//   - status.go: `status [--json]`, the open incidents of the configured
//     Redis.
//   - diagnose.go, compare.go, comparehook.go: the offline commands and
//     the bot's in-chat `compare`.
//   - lab.go: the simulated devices for the demo and tests.
package main
