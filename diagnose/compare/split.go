package compare

import "strings"

// SplitPair finds the two configurations in one paste, for a chat command
// that receives both ends at once: two fenced code blocks (```), or else
// one text holding two configs, cut where the second one starts (a second
// "hostname" line, ASA Version banner or strongSwan "connections {" root).
// ok is false unless both parts look like crypto configurations.
func SplitPair(text string) (a, b string, ok bool) {
	var blocks []string
	var cur []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") {
			if in {
				blocks = append(blocks, strings.Join(cur, "\n")+"\n")
				cur = nil
			}
			in = !in
			// "```text" or "```hostname X" on the fence line: keep what follows
			if rest := strings.TrimSpace(strings.TrimLeft(t, "`")); in && rest != "" && !isFenceLang(rest) {
				cur = append(cur, rest)
			}
			continue
		}
		if in {
			cur = append(cur, l)
		}
	}
	var cfgs []string
	for _, bl := range blocks {
		if LooksLikeConfig(bl) {
			cfgs = append(cfgs, bl)
		}
	}
	if len(cfgs) >= 2 {
		return cfgs[0], cfgs[1], true
	}
	lines := strings.Split(text, "\n")
	starts := 0
	for i, l := range lines {
		if !startsConfig(l) {
			continue
		}
		starts++
		if starts == 2 {
			// The second config begins at its own header: the lines
			// before its hostname that only head a config (an ASA's
			// ": Saved" and "ASA Version", IOS's "version", comments).
			for i > 0 && configHeader(lines[i-1]) {
				i--
			}
			a, b = strings.Join(lines[:i], "\n"), strings.Join(lines[i:], "\n")
			if LooksLikeConfig(a) && LooksLikeConfig(b) {
				return a, b, true
			}
			return "", "", false
		}
	}
	return "", "", false
}

func isFenceLang(s string) bool {
	switch strings.ToLower(s) {
	case "text", "txt", "cisco", "ios", "asa", "conf", "config", "shell", "console":
		return true
	}
	return false
}

// startsConfig: the line that names a config's device (an ASA's and a
// router's hostname), or opens a strongSwan file (swanctl.conf's
// connections, ipsec.conf's config setup).
func startsConfig(l string) bool {
	t := strings.TrimSpace(l)
	return strings.HasPrefix(l, "hostname ") || strings.HasPrefix(t, "connections {") || t == "config setup"
}

// configHeader: a line that heads a config before its hostname (or its
// config setup): blank, a comment, an ASA's ": Saved" and "ASA Version",
// IOS's "version" and "Building configuration...".
func configHeader(l string) bool {
	t := strings.TrimSpace(l)
	for _, p := range []string{"!", ":", "#", "ASA Version", "version ", "Building configuration", "Current configuration"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return t == ""
}
