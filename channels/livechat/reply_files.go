package livechat

import (
	"tanggap/channels"
)

// replyTypes are the files an agent may send a visitor: pictures (shown
// in the widget), the rest downloaded through the visitor's signed link.
var replyTypes = channels.DocumentReplyTypes()

var _ channels.ReplyFiles = (*Adapter)(nil)

// ReplyFiles is what a live-chat reply may carry.
func (a *Adapter) ReplyFiles() channels.FilePolicy { return a.o.ReplyFiles.Policy(replyTypes) }
