package webform

import (
	"tanggap/channels"
)

// replyTypes are the files an agent may post on a complaint for the
// citizen to download from the status page (with the tracking number and
// the phone or e-mail given).
var replyTypes = channels.DocumentReplyTypes()

var _ channels.ReplyFiles = (*Adapter)(nil)

// ReplyFiles is what a reply on a complaint may carry.
func (a *Adapter) ReplyFiles() channels.FilePolicy { return a.o.ReplyFiles.Policy(replyTypes) }
