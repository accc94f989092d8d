package bot

// helpBlock is the answer to `help` (and to what the bot does not know).
var helpBlock = Block{Text: Strong("tunneldoc") + " finds why an IPsec tunnel is down.\n" +
	"• `check tunnel 90.1.1.1` (optionally `on fw-hq`): I log into the device, collect its crypto state and diagnose it.\n" +
	"• `diagnose` followed by pasted output (in or out of ``` fences), or just paste output with a mention, or attach a file or snippet.\n" +
	"• `compare` followed by both ends' crypto configurations (two code blocks, or one after the other): what differs between them.\n" +
	"• `status`: the open incidents of this conversation.\n" +
	"• `silence 90.1.1.1 2h` / `unsilence 90.1.1.1`: tunnel-down notifications for a peer off for a while, or back on.\n" +
	"• `/tunnel` followed by any of these does the same; `/tunnel diagnose` or `/tunnel compare` alone opens a window to paste into.\n" +
	"• `help`: this text.\n" +
	"I answer in a thread; follow-up pastes in that thread need no mention. Buttons: Re-check, Acknowledge, Resolved."}
