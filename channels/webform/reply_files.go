package webform

import (
	"tanggap/channels"
	"tanggap/internal/attachment"
)

// replyTypes are the files an agent may post on a complaint for the
// citizen to download from the status page (with the tracking number and
// the phone or e-mail given): pictures, PDF, Office documents, plain text.
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

// ReplyFiles is what a reply on a complaint may carry.
func (a *Adapter) ReplyFiles() channels.FilePolicy { return a.o.ReplyFiles.Policy(replyTypes) }
