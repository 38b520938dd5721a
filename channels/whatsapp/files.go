package whatsapp

import (
	"tanggap/channels"
	"tanggap/internal/attachment"
)

// Media an agent may send, as the Cloud API documents its supported media
// types: images (JPEG, PNG) up to 5 MB; audio (AAC, AMR, MP3, M4A, Ogg
// with Opus) and video (MP4, 3GPP) up to 16 MB; documents (plain text,
// PDF, Word, Excel, PowerPoint) up to 100 MB. Stickers (WebP) are not
// replies. WHATSAPP_REPLY_FILE_MAX_MB lowers these, never raises them.
var replyTypes = []channels.FileType{
	{MIME: "image/jpeg", MaxBytes: 5 << 20},
	{MIME: "image/png", MaxBytes: 5 << 20},
	{MIME: attachment.MIMEAAC, MaxBytes: 16 << 20},
	{MIME: attachment.MIMEAMR, MaxBytes: 16 << 20},
	{MIME: attachment.MIMEMP3, MaxBytes: 16 << 20},
	{MIME: attachment.MIMEM4A, MaxBytes: 16 << 20},
	{MIME: attachment.MIMEOpus, MaxBytes: 16 << 20},
	{MIME: attachment.MIMEMP4, MaxBytes: 16 << 20},
	{MIME: attachment.MIME3GPP, MaxBytes: 16 << 20},
	{MIME: "text/plain", MaxBytes: 100 << 20},
	{MIME: "application/pdf", MaxBytes: 100 << 20},
	{MIME: attachment.MIMEWord, MaxBytes: 100 << 20},
	{MIME: attachment.MIMEExcel, MaxBytes: 100 << 20},
	{MIME: attachment.MIMEPowerPoint, MaxBytes: 100 << 20},
	{MIME: attachment.MIMEDocx, MaxBytes: 100 << 20},
	{MIME: attachment.MIMEXlsx, MaxBytes: 100 << 20},
	{MIME: attachment.MIMEPptx, MaxBytes: 100 << 20},
}

var _ channels.ReplyFiles = (*Adapter)(nil)

// ReplyFiles is what a WhatsApp reply may carry.
func (a *Adapter) ReplyFiles() channels.FilePolicy { return a.o.ReplyFiles.Policy(replyTypes) }

// uploadType is the type as the media upload names it: Meta spells 3GPP
// video "video/3gp".
func uploadType(mime string) string {
	if mime == attachment.MIME3GPP {
		return "video/3gp"
	}
	return mime
}
