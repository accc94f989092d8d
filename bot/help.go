package bot

// helpBlock is the answer to `help` (and to what the bot does not know).
var helpBlock = Block{Text: Strong("tunneldoc") + " finds why an IPsec tunnel is down.\n" +
	"• `check tunnel 90.1.1.1` (optionally `on fw-hq`): I log into the device, collect `show crypto` output and diagnose it.\n" +
	"• `diagnose` followed by pasted output (in or out of ``` fences), or just paste output with a mention, or attach a file or snippet.\n" +
	"• `status`: open incidents.  • `help`: this text.\n" +
	"I answer in a thread; follow-up pastes in that thread need no mention. Buttons: Re-check, Acknowledge, Resolved."}
