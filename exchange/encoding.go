package exchange

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// A shapefile's .dbf holds text in whatever code page the program that wrote it used,
// and says which only in its .cpg (or not at all): a .dbf of Chinese Windows without a
// .cpg is GBK, and GDAL, told nothing, passes its bytes through, so every Chinese name
// became U+FFFD (issue 14.17). So Go reads the .dbf's text itself before GDAL does:
// with no .cpg and no --encoding, the encoding is the first the text is valid in, UTF-8
// then GB18030 (which GBK is a part of); a stated one (.cpg, --encoding) is checked when
// it is one of those; text valid in none is refused, naming the field and the record.

// Encoding is the character set a file's text was read in, and where that came from.
type Encoding struct {
	// Name as GDAL's ENCODING open option takes it (UTF-8, GBK, GB18030), or ASCII.
	Name string `json:"name"`
	// From: cpg (the .cpg file), option (--encoding / encoding=), detected (from the
	// text), or file (the format fixes it: GeoJSON, GeoPackage, XLSX are UTF-8).
	From string `json:"from"`
}

// EncodingError refuses a file whose text is not valid in its encoding; Problems name
// each field and record (at most maxEncodingProblems). It unwraps to a FileError
// (invalid-file) for callers that refuse a file as a whole.
type EncodingError struct {
	File     FileError
	Problems []Problem
}

func (e *EncodingError) Error() string { return e.File.Error() }
func (e *EncodingError) Unwrap() error { return &e.File }

const maxEncodingProblems = 50

// charset is a character set whose validity Go can check.
type charset int

const (
	csOther charset = iota
	csUTF8
	csGB // GBK, GB2312, CP936 and GB18030: GB18030's structure is checked
)

func charsetOf(name string) charset {
	n := strings.ToUpper(strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.TrimSpace(name)))
	switch n {
	case "UTF8", "65001":
		return csUTF8
	case "GBK", "CP936", "936", "GB2312", "GB18030", "EUCCN", "MS936", "WINDOWS936":
		return csGB
	}
	return csOther
}

// validGB18030 reports whether b is well-formed GB18030: ASCII, two-byte codes (lead
// 0x81–0xFE, trail 0x40–0x7E or 0x80–0xFE) and four-byte codes (0x81–0xFE, 0x30–0x39,
// 0x81–0xFE, 0x30–0x39); four says whether any four-byte code occurs (then it is not GBK).
func validGB18030(b []byte) (ok, four bool) {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0x80:
			i++
		case c >= 0x81 && c <= 0xFE && i+1 < len(b) && (b[i+1] >= 0x40 && b[i+1] <= 0x7E || b[i+1] >= 0x80 && b[i+1] <= 0xFE):
			i += 2
		case c >= 0x81 && c <= 0xFE && i+3 < len(b) && b[i+1] >= 0x30 && b[i+1] <= 0x39 &&
			b[i+2] >= 0x81 && b[i+2] <= 0xFE && b[i+3] >= 0x30 && b[i+3] <= 0x39:
			i += 4
			four = true
		default:
			return false, four
		}
	}
	return true, four
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// dbfText is the text of a .dbf: its field names and the values of its character
// fields, each with where it is.
type dbfText struct {
	names  [][]byte
	fields []dbfField
	// cells yields (record, field index, bytes) for every character value.
	cells []dbfCell
}

type dbfField struct {
	name []byte
	typ  byte
	off  int
	size int
}

type dbfCell struct {
	record, field int
	b             []byte
}

// readDBF reads the character data of a dBASE III/IV table: the header, the field
// descriptors and the C (and memo-less) fields of every record. Bounded by the file.
func readDBF(path string) (*dbfText, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 32)
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, fmt.Errorf("the .dbf has no header: %w", err)
	}
	nrec := int(binary.LittleEndian.Uint32(head[4:8]))
	hlen := int(binary.LittleEndian.Uint16(head[8:10]))
	rlen := int(binary.LittleEndian.Uint16(head[10:12]))
	if hlen < 33 || rlen < 1 {
		return nil, fmt.Errorf("the .dbf header is damaged (header %d bytes, records %d bytes)", hlen, rlen)
	}
	desc := make([]byte, hlen-32)
	if _, err := io.ReadFull(f, desc); err != nil {
		return nil, fmt.Errorf("the .dbf header is cut short: %w", err)
	}
	t := &dbfText{}
	off := 1 // the deletion flag
	for i := 0; i+32 <= len(desc) && desc[i] != 0x0D; i += 32 {
		d := desc[i : i+32]
		name := d[:11]
		if k := strings.IndexByte(string(name), 0); k >= 0 {
			name = name[:k]
		}
		fd := dbfField{name: append([]byte(nil), name...), typ: d[11], off: off, size: int(d[16])}
		if fd.typ == 'C' {
			// Character fields may be longer than 255 bytes: the decimal count is
			// their high byte (Clipper, GDAL).
			fd.size += int(d[17]) << 8
		}
		off += fd.size
		t.fields = append(t.fields, fd)
		t.names = append(t.names, fd.name)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if max := (st.Size() - int64(hlen)) / int64(rlen); int64(nrec) > max {
		nrec = int(max)
	}
	if _, err := f.Seek(int64(hlen), io.SeekStart); err != nil {
		return nil, err
	}
	rec := make([]byte, rlen)
	for r := 0; r < nrec; r++ {
		if _, err := io.ReadFull(f, rec); err != nil {
			break
		}
		for k, fd := range t.fields {
			if fd.typ != 'C' || fd.off+fd.size > rlen {
				continue
			}
			b := rec[fd.off : fd.off+fd.size]
			if !isASCII(b) {
				t.cells = append(t.cells, dbfCell{record: r, field: k, b: append([]byte(nil), b...)})
			}
		}
	}
	return t, nil
}

// shapeEncoding decides the encoding of a shapefile's .dbf: stated (option, then
// .cpg) or detected, and checks its text in it. It returns the ENCODING open option
// to give GDAL ("" when GDAL needs none).
func shapeEncoding(shp, option string) (enc Encoding, openOpt string, err error) {
	stem := strings.TrimSuffix(shp, filepath.Ext(shp))
	dbf := firstExisting(stem+".dbf", stem+".DBF")
	stated, from := option, "option"
	if stated == "" {
		if cpg := firstExisting(stem+".cpg", stem+".CPG"); cpg != "" {
			b, _ := os.ReadFile(cpg)
			stated, from = strings.TrimSpace(strings.TrimPrefix(string(b), "\xef\xbb\xbf")), "cpg"
		}
	}
	if dbf == "" {
		// GDAL reports a shapefile without its table; nothing to read here.
		return Encoding{Name: stated, From: from}, "", nil
	}
	t, rerr := readDBF(dbf)
	if rerr != nil {
		return enc, "", fileErr(InvalidFile, ".dbf 文件已损坏", "the shapefile's .dbf cannot be read: "+rerr.Error())
	}
	texts := make([]dbfCell, 0, len(t.cells)+len(t.names))
	for k, n := range t.names {
		if !isASCII(n) {
			texts = append(texts, dbfCell{record: -1, field: k, b: n})
		}
	}
	texts = append(texts, t.cells...)
	valid := func(cs charset, b []byte) bool {
		if cs == csUTF8 {
			return utf8.Valid(b)
		}
		ok, _ := validGB18030(b)
		return ok
	}
	check := func(cs charset, name string) *EncodingError {
		var probs []Problem
		for _, c := range texts {
			// Padding and a value cut at the field's width may split the last
			// character: dBASE pads with spaces, GDAL trims them; a cut character
			// is the writer's fault, and a refusal names it.
			b := []byte(strings.TrimRight(string(c.b), " \x00"))
			if valid(cs, b) {
				continue
			}
			if len(probs) < maxEncodingProblems {
				probs = append(probs, encodingProblem(t, c, name))
			}
		}
		if len(probs) == 0 {
			return nil
		}
		return &EncodingError{File: *fileErr(InvalidFile, ".dbf 中的文本不是有效的 "+name+" 编码",
			fmt.Sprintf("the .dbf's text is not valid %s (%s): state the right encoding with --encoding / encoding=", name, probs[0].Message)), Problems: probs}
	}
	if stated != "" {
		cs := charsetOf(stated)
		if cs != csOther {
			if e := check(cs, stated); e != nil {
				return enc, "", e
			}
		}
		if from == "cpg" {
			// GDAL reads the .cpg itself, code-page numbers (936, 65001) included.
			return Encoding{Name: stated, From: from}, "", nil
		}
		return Encoding{Name: stated, From: from}, "ENCODING=" + stated, nil
	}
	// Nothing stated: the text says.
	if len(texts) == 0 {
		return Encoding{Name: "ASCII", From: "detected"}, "", nil
	}
	if check(csUTF8, "UTF-8") == nil {
		return Encoding{Name: "UTF-8", From: "detected"}, "ENCODING=UTF-8", nil
	}
	if e := check(csGB, "UTF-8/GBK/GB18030"); e != nil {
		e.File = *fileErr(InvalidFile, ".dbf 没有 .cpg，且其文本既不是 UTF-8 也不是 GBK/GB18030 编码",
			"the .dbf has no .cpg and its text is neither UTF-8 nor GBK/GB18030 ("+e.Problems[0].Message+"): state its encoding with --encoding / encoding=")
		return enc, "", e
	}
	name := "GBK"
	for _, c := range texts {
		if _, four := validGB18030(c.b); four {
			name = "GB18030"
			break
		}
	}
	return Encoding{Name: name, From: "detected"}, "ENCODING=" + name, nil
}

// encodingProblem names the field (and record) of text not valid in an encoding; the
// field name is shown as ASCII when it is not valid either.
func encodingProblem(t *dbfText, c dbfCell, name string) Problem {
	field := fieldName(t.names[c.field], c.field)
	hex := fmt.Sprintf("% X", c.b[:min(len(c.b), 16)])
	if c.record < 0 {
		field = fmt.Sprintf("field %d", c.field+1)
		return Problem{Index: -1, Code: "bad-encoding", Field: field, Message: fmt.Sprintf(
			"第 %d 个字段的名称不是有效的 %s 文本（字节 %s）/ the name of field %d is not valid %s (bytes %s)", c.field+1, name, hex, c.field+1, name, hex)}
	}
	return Problem{Index: c.record, SourceID: fmt.Sprintf("record %d", c.record+1), Code: "bad-encoding", Field: field, Message: fmt.Sprintf(
		"第 %d 条记录的字段 %s 不是有效的 %s 文本（字节 %s）/ field %s of record %d is not valid %s (bytes %s)",
		c.record+1, field, name, hex, field, c.record+1, name, hex)}
}

func firstExisting(paths ...string) string {
	for _, p := range paths {
		if fileExists(p) {
			return p
		}
	}
	return ""
}

// replacementMessage refuses a value holding U+FFFD, the mark of text decoded in the
// wrong encoding.
func replacementMessage(field, v string) string {
	return fmt.Sprintf("%s 含有替换字符 U+FFFD（%q），文件编码有误，请指明正确的编码 / %s holds the replacement character U+FFFD (%q): "+
		"the text was decoded in the wrong encoding somewhere; state the right one (--encoding, .cpg)", field, v, field, v)
}

// fieldName is a .dbf field's name for messages: as it is when UTF-8, decoded as
// GB18030 when valid there (the usual case of a file without .cpg), else its number.
func fieldName(b []byte, k int) string {
	if utf8.Valid(b) {
		return string(b)
	}
	if ok, _ := validGB18030(b); ok {
		if s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); err == nil && utf8.Valid(s) {
			return string(s)
		}
	}
	return fmt.Sprintf("field %d", k+1)
}
