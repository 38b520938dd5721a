package channels

import "tanggap/internal/attachment"

// FileType is one kind of file a channel carries in agent replies, with
// the largest such file it takes.
type FileType struct {
	MIME     string
	MaxBytes int64
}

// FilePolicy is what a channel takes as files in one agent reply.
type FilePolicy struct {
	Types []FileType
	// MaxFiles bounds the files of one reply.
	MaxFiles int
}

// Limit is the largest file of type mime the channel takes (0: the type
// is not taken).
func (p FilePolicy) Limit(mime string) int64 {
	for _, t := range p.Types {
		if t.MIME == mime {
			return t.MaxBytes
		}
	}
	return 0
}

// MaxBytes is the largest file of any type.
func (p FilePolicy) MaxBytes() int64 {
	var m int64
	for _, t := range p.Types {
		m = max(m, t.MaxBytes)
	}
	return m
}

// ReplyFiles is implemented by an adapter whose channel carries files in
// agent replies (its Deliver sends the Outbound's Attachments). A channel
// without it carries none: the API refuses a file reply on it.
type ReplyFiles interface {
	ReplyFiles() FilePolicy
}

// Capped is p with every type's limit lowered to at most maxBytes (the
// operator's setting); maxBytes <= 0 leaves p as it is.
func (p FilePolicy) Capped(maxBytes int64) FilePolicy {
	if maxBytes <= 0 {
		return p
	}
	out := FilePolicy{MaxFiles: p.MaxFiles, Types: make([]FileType, len(p.Types))}
	for i, t := range p.Types {
		out.Types[i] = FileType{MIME: t.MIME, MaxBytes: min(t.MaxBytes, maxBytes)}
	}
	return out
}

// FileLimits is the operator's say on reply files of one channel: the
// largest file (below the channel's own limits) and how many per reply.
// Zero values take the defaults (DefaultReplyFiles).
type FileLimits struct {
	MaxBytes int64
	MaxFiles int
}

// DefaultReplyFiles is how many files one reply carries by default.
const DefaultReplyFiles = 3

// Policy is the channel's types with these limits applied.
func (l FileLimits) Policy(types []FileType) FilePolicy {
	n := l.MaxFiles
	if n <= 0 {
		n = DefaultReplyFiles
	}
	return FilePolicy{Types: types, MaxFiles: n}.Capped(l.MaxBytes)
}

// DocumentReplyTypes are the files an agent may send on a channel that
// shows pictures and offers the rest for download (live chat, the
// complaint status page): pictures, PDF, Office documents and plain text,
// bounded by the operator's per-channel limit (FilePolicy).
func DocumentReplyTypes() []FileType {
	var out []FileType
	for _, m := range []string{"image/jpeg", "image/png", "application/pdf", "text/plain",
		attachment.MIMEDocx, attachment.MIMEXlsx, attachment.MIMEPptx,
		attachment.MIMEWord, attachment.MIMEExcel, attachment.MIMEPowerPoint} {
		out = append(out, FileType{MIME: m, MaxBytes: 100 << 20})
	}
	return out
}
