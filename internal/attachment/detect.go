package attachment

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"unicode/utf16"
)

// MIME types Detect tells apart beyond net/http.DetectContentType.
const (
	MIMEWord       = "application/msword"
	MIMEExcel      = "application/vnd.ms-excel"
	MIMEPowerPoint = "application/vnd.ms-powerpoint"
	MIMEDocx       = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	MIMEXlsx       = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	MIMEPptx       = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
	MIMEAAC        = "audio/aac"
	MIMEAMR        = "audio/amr"
	MIMEMP3        = "audio/mpeg"
	MIMEM4A        = "audio/mp4"
	MIMEOpus       = "audio/ogg"
	MIMEMP4        = "video/mp4"
	MIME3GPP       = "video/3gpp"
)

var moreExtensions = map[string]string{
	MIMEWord: ".doc", MIMEExcel: ".xls", MIMEPowerPoint: ".ppt",
	MIMEDocx: ".docx", MIMEXlsx: ".xlsx", MIMEPptx: ".pptx",
	MIMEAAC: ".aac", MIMEAMR: ".amr", MIMEMP3: ".mp3", MIMEM4A: ".m4a", MIMEOpus: ".ogg",
	MIMEMP4: ".mp4", MIME3GPP: ".3gp", "text/plain": ".txt", "image/webp": ".webp", "image/gif": ".gif",
}

// Detect reads a file's type from its bytes, never from its name or what
// a client claims: net/http.DetectContentType for the first 512 bytes,
// then what that cannot tell: Office documents (an OOXML file is a ZIP
// holding word/, xl/ or ppt/; an older one an OLE compound file holding a
// WordDocument, Workbook or PowerPoint Document stream), and the audio and
// video containers WhatsApp takes (AAC, AMR, MP3 frames, M4A, 3GPP, Ogg
// with Opus). size is the file's length; "" means an empty file.
func Detect(r io.ReaderAt, size int64) string {
	if size <= 0 {
		return ""
	}
	head := make([]byte, min(size, 512))
	n, err := r.ReadAt(head, 0)
	if n == 0 && err != nil {
		return ""
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("#!AMR\n")):
		return MIMEAMR
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		if t := isoBrand(head); t != "" {
			return t
		}
	case bytes.HasPrefix(head, []byte("OggS")):
		// WhatsApp takes Ogg with the Opus codec only; its first page
		// carries the codec's header.
		if bytes.Contains(head, []byte("OpusHead")) {
			return MIMEOpus
		}
		return "application/ogg"
	case len(head) >= 4 && head[0] == 0xFF && head[1]&0xF6 == 0xF0:
		return MIMEAAC // ADTS: sync word, layer 0
	case len(head) >= 4 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 && (head[1]>>1)&3 == 1 && head[2]&0xF0 != 0xF0:
		return MIMEMP3 // MPEG audio layer III frame without an ID3 tag
	case bytes.HasPrefix(head, cfbMagic):
		return compoundType(r, size)
	}
	t := Sniff(head)
	if t == "application/zip" {
		return ooxmlType(r, size)
	}
	return t
}

// isoBrand names an ISO base media file by its brands (major, then
// compatible).
func isoBrand(head []byte) string {
	boxLen := int(binary.BigEndian.Uint32(head[:4]))
	if boxLen < 16 || boxLen > len(head) {
		boxLen = len(head)
	}
	var video bool
	for i := 8; i+4 <= boxLen; i += 4 {
		if i == 12 {
			continue // minor version
		}
		b := string(head[i : i+4])
		switch {
		case b == "M4A " || b == "M4B ":
			return MIMEM4A
		case b[:3] == "3gp" || b[:3] == "3g2":
			return MIME3GPP
		case b == "isom" || b == "iso2" || b == "mp41" || b == "mp42" || b == "avc1" || b == "M4V ":
			video = true
		}
	}
	if video {
		return MIMEMP4
	}
	return ""
}

// ooxmlType tells Word, Excel and PowerPoint files from other ZIPs.
func ooxmlType(r io.ReaderAt, size int64) string {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return "application/zip"
	}
	var types bool
	kind := ""
	for i, f := range z.File {
		if i > 10000 {
			break
		}
		switch f.Name {
		case "[Content_Types].xml":
			types = true
		case "word/document.xml":
			kind = MIMEDocx
		case "xl/workbook.xml":
			kind = MIMEXlsx
		case "ppt/presentation.xml":
			kind = MIMEPptx
		}
	}
	if types && kind != "" {
		return kind
	}
	return "application/zip"
}

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// compoundType reads the directory of an OLE compound file (MS-CFB) for
// the stream that makes it a Word, Excel or PowerPoint file. Only the
// FAT sectors listed in the header are followed and at most 512
// directory sectors read, so a hostile file costs little.
func compoundType(r io.ReaderAt, size int64) string {
	const unknown = "application/x-ole-storage"
	var hdr [512]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return unknown
	}
	shift := binary.LittleEndian.Uint16(hdr[0x1E:])
	if shift != 9 && shift != 12 {
		return unknown
	}
	sector := int64(1) << shift
	perFAT := uint32(sector / 4)
	fatSector := func(i uint32) (uint32, bool) {
		if i >= 109 {
			return 0, false
		}
		return binary.LittleEndian.Uint32(hdr[0x4C+4*i:]), true
	}
	next := func(n uint32) (uint32, bool) {
		fs, ok := fatSector(n / perFAT)
		if !ok || fs >= 0xFFFFFFFA {
			return 0, false
		}
		var b [4]byte
		if _, err := r.ReadAt(b[:], (int64(fs)+1)*sector+int64(n%perFAT)*4); err != nil {
			return 0, false
		}
		return binary.LittleEndian.Uint32(b[:]), true
	}
	dir := binary.LittleEndian.Uint32(hdr[0x30:])
	buf := make([]byte, sector)
	for range 512 {
		if dir >= 0xFFFFFFFA || (int64(dir)+2)*sector > size {
			break
		}
		if _, err := r.ReadAt(buf, (int64(dir)+1)*sector); err != nil {
			break
		}
		for off := 0; off+128 <= len(buf); off += 128 {
			e := buf[off : off+128]
			if e[0x42] != 2 { // streams only
				continue
			}
			switch entryName(e) {
			case "WordDocument":
				return MIMEWord
			case "Workbook", "Book":
				return MIMEExcel
			case "PowerPoint Document":
				return MIMEPowerPoint
			}
		}
		var ok bool
		if dir, ok = next(dir); !ok {
			break
		}
	}
	return unknown
}

// entryName decodes a directory entry's UTF-16 name.
func entryName(e []byte) string {
	n := int(binary.LittleEndian.Uint16(e[0x40:]))
	if n < 2 || n > 64 || n%2 != 0 {
		return ""
	}
	u := make([]uint16, 0, n/2-1)
	for i := 0; i+1 < n-2; i += 2 {
		u = append(u, binary.LittleEndian.Uint16(e[i:]))
	}
	return string(utf16.Decode(u))
}
