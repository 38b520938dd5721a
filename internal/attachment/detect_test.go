package attachment

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"strings"
	"testing"
	"unicode/utf16"
)

// ooxml builds a minimal Office Open XML package holding part.
func ooxml(t testing.TB, part string) []byte {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", part} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(`<?xml version="1.0"?><x/>`))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compound builds an OLE compound file (512-byte sectors) whose second
// directory sector holds a stream named stream, so finding it means
// following the directory's chain through the FAT.
func compound(stream string) []byte {
	const sec = 512
	b := make([]byte, 4*sec)
	copy(b, cfbMagic)
	binary.LittleEndian.PutUint16(b[0x1A:], 3)
	binary.LittleEndian.PutUint16(b[0x1C:], 0xFFFE)
	binary.LittleEndian.PutUint16(b[0x1E:], 9)
	binary.LittleEndian.PutUint16(b[0x20:], 6)
	binary.LittleEndian.PutUint32(b[0x2C:], 1)
	binary.LittleEndian.PutUint32(b[0x30:], 1)
	binary.LittleEndian.PutUint32(b[0x3C:], 0xFFFFFFFE)
	for i := range 109 {
		binary.LittleEndian.PutUint32(b[0x4C+4*i:], 0xFFFFFFFF)
	}
	binary.LittleEndian.PutUint32(b[0x4C:], 0) // FAT in sector 0
	fat := b[sec : 2*sec]
	for i := range sec / 4 {
		binary.LittleEndian.PutUint32(fat[4*i:], 0xFFFFFFFF)
	}
	binary.LittleEndian.PutUint32(fat[0:], 0xFFFFFFFD)
	binary.LittleEndian.PutUint32(fat[4:], 2)
	binary.LittleEndian.PutUint32(fat[8:], 0xFFFFFFFE)
	entry := func(at []byte, name string, typ byte) {
		u := utf16.Encode([]rune(name))
		for i, c := range u {
			binary.LittleEndian.PutUint16(at[2*i:], c)
		}
		binary.LittleEndian.PutUint16(at[0x40:], uint16(2*len(u)+2))
		at[0x42] = typ
	}
	entry(b[2*sec:], "Root Entry", 5)
	entry(b[2*sec+128:], "1Table", 2)
	entry(b[3*sec:], stream, 2)
	return b
}

func pngFile(t testing.TB) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ftyp(brands ...string) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(8+4*len(brands)+4))
	b.WriteString("ftyp")
	b.WriteString(brands[0])
	b.Write([]byte{0, 0, 2, 0})
	for _, br := range brands[1:] {
		b.WriteString(br)
	}
	b.Write(make([]byte, 64))
	return b.Bytes()
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"a PNG is a PNG", pngFile(t), "image/png"},
		{"a JPEG is a JPEG", append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, make([]byte, 40)...), "image/jpeg"},
		{"a PDF is a PDF whatever its name", []byte("%PDF-1.7\n1 0 obj\n"), "application/pdf"},
		{"plain text", []byte("Surat keterangan\nNomor 12/2026\n"), "text/plain"},
		{"HTML stays HTML (never a document)", []byte("<html><script>alert(1)</script></html>"), "text/html"},
		{"a Word document (OOXML)", ooxml(t, "word/document.xml"), MIMEDocx},
		{"an Excel workbook (OOXML)", ooxml(t, "xl/workbook.xml"), MIMEXlsx},
		{"a PowerPoint deck (OOXML)", ooxml(t, "ppt/presentation.xml"), MIMEPptx},
		{"a ZIP with a word folder but no content types is a ZIP", func() []byte {
			var buf bytes.Buffer
			z := zip.NewWriter(&buf)
			w, _ := z.Create("word/document.xml")
			w.Write([]byte("x"))
			z.Close()
			return buf.Bytes()
		}(), "application/zip"},
		{"a Word 97 document (OLE)", compound("WordDocument"), MIMEWord},
		{"an Excel 97 workbook (OLE)", compound("Workbook"), MIMEExcel},
		{"a PowerPoint 97 deck (OLE)", compound("PowerPoint Document"), MIMEPowerPoint},
		{"another OLE file", compound("Contents"), "application/x-ole-storage"},
		{"AMR voice", []byte("#!AMR\n\x3c\x00\x00"), MIMEAMR},
		{"AAC (ADTS)", []byte{0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC}, MIMEAAC},
		{"MP3 frame", []byte{0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0}, MIMEMP3},
		{"MP3 with ID3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 20)...), MIMEMP3},
		{"M4A audio", ftyp("M4A ", "M4A ", "mp42", "isom"), MIMEM4A},
		{"MP4 video", ftyp("isom", "isom", "iso2", "avc1", "mp41"), MIMEMP4},
		{"3GPP video", ftyp("3gp4", "isom", "3gp4"), MIME3GPP},
		{"Ogg with Opus", append([]byte("OggS\x00\x02"), append(make([]byte, 22), []byte("OpusHead")...)...), MIMEOpus},
		{"Ogg with Vorbis is not WhatsApp audio", append([]byte("OggS\x00\x02"), append(make([]byte, 22), []byte("\x01vorbis")...)...), "application/ogg"},
		{"empty", nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Detect(bytes.NewReader(c.data), int64(len(c.data))); got != c.want {
				t.Fatalf("Detect = %q, want %q", got, c.want)
			}
		})
	}
}

func TestPutAsKeepsTheDetectedType(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	doc := ooxml(t, "word/document.xml")
	st, err := l.PutAs(t.Context(), bytes.NewReader(doc), 1<<20, MIMEDocx)
	if err != nil || st.MIME != MIMEDocx || st.Size != int64(len(doc)) || !strings.HasSuffix(st.Key, ".docx") {
		t.Fatalf("PutAs = %+v, %v", st, err)
	}
	if _, err := l.PutAs(t.Context(), bytes.NewReader(doc), 10, MIMEDocx); err != ErrTooLarge {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := l.PutAs(t.Context(), bytes.NewReader(nil), 10, MIMEDocx); err != ErrEmptyUpload {
		t.Fatalf("empty: %v", err)
	}
}

// FuzzDetect: any bytes get a type without panicking or reading without
// bound, and a type is a bare MIME type (no parameters).
func FuzzDetect(f *testing.F) {
	f.Add(pngFile(f))
	f.Add(ooxml(f, "word/document.xml"))
	f.Add(compound("WordDocument"))
	f.Add(ftyp("M4A ", "mp42"))
	f.Add([]byte("OggS\x00OpusHead"))
	f.Add([]byte("%PDF-1.4"))
	f.Add([]byte{0xFF, 0xF1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got := Detect(bytes.NewReader(data), int64(len(data)))
		if strings.ContainsAny(got, "; ") {
			t.Fatalf("type with parameters: %q", got)
		}
		if len(data) > 0 && got == "" {
			t.Fatalf("no type for %d bytes", len(data))
		}
	})
}
