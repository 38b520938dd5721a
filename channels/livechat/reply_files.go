package livechat

import (
	"tanggap/channels"
	"tanggap/internal/attachment"
)

// replyTypes are the files an agent may send a visitor: pictures (shown
// in the widget), PDF, Office documents and plain text (downloaded
// through the visitor's signed link). 10 MB each unless configured.
var replyTypes = func() []channels.FileType {
	var out []channels.FileType
	for _, m := range []string{"image/jpeg", "image/png", "application/pdf", "text/plain",
		attachment.MIMEDocx, attachment.MIMEXlsx, attachment.MIMEPptx,
		attachment.MIMEWord, attachment.MIMEExcel, attachment.MIMEPowerPoint} {
		out = append(out, channels.FileType{MIME: m, MaxBytes: 100 << 20})
	}
	return out
}()

var _ channels.ReplyFiles = (*Adapter)(nil)

// ReplyFiles is what a live-chat reply may carry.
func (a *Adapter) ReplyFiles() channels.FilePolicy { return a.o.ReplyFiles.Policy(replyTypes) }
