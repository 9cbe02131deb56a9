package exchange

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Files to import are untrusted (issue 11; docs/decisions.md, "Upload safety"). GDAL
// chooses a driver by content, not by name, and some drivers read other files, URLs
// or databases (VRT, CSV, PostgreSQL, WFS …). So Go first checks that a file is what
// its name says, unpacks zips itself under names of its own, and GDAL then runs with
// only that format's driver and an environment of our making (readerEnv).

// FileError refuses the file itself: what it really is, what it holds, how it is
// packed. Type is the problem type the API answers with (docs/errors.md).
type FileError struct{ Type, ZH, EN string }

func (e *FileError) Error() string { return e.ZH + " / " + e.EN }

// ProblemType is the problem type (urn:landreg:problem:…) of the refusal.
func (e *FileError) ProblemType() string { return e.Type }

// Problem types of FileError.
const (
	TypeMismatch  = "file-type-mismatch"
	UnsafeArchive = "unsafe-archive"
	InvalidFile   = "invalid-file"
)

// Bounds of a zip: a shapefile has a handful of parts, and a crafted archive must not
// fill the disk when unpacked.
const (
	MaxZipEntries = 64
	MaxUnzipped   = 2 << 30
)

// The GDAL driver each data file is opened with, and nothing else.
const (
	drvGeoJSON   = "GeoJSON"
	drvGPKG      = "GPKG"
	drvShapefile = "ESRI Shapefile"
)

var dataDrivers = map[string]string{".geojson": drvGeoJSON, ".json": drvGeoJSON, ".gpkg": drvGPKG, ".shp": drvShapefile}

// Spreadsheets (enterprises, events: table.go), opened by GDAL's XLSX and CSV drivers.
// A CSV is transcoded to UTF-8 by Go first (its encoding detected as a .dbf's), so GDAL
// reads a file of the work folder, never one beside the caller's (.csvt, .prj).
const (
	drvXLSX = "XLSX"
	drvCSV  = "CSV"
)

var tableDrivers = map[string]string{".xlsx": drvXLSX, ".csv": drvCSV}

// Bounds of an XLSX (a zip of XML parts): a workbook has a few dozen parts.
const maxXLSXEntries = 10000

// A shapefile's parts that GDAL reads, and those it does not need (spatial indexes,
// ArcGIS metadata), which a zip may carry and which are left packed.
var (
	shapeParts    = map[string]bool{".shx": true, ".dbf": true, ".prj": true, ".cpg": true}
	shapeUnneeded = map[string]bool{".qix": true, ".sbn": true, ".sbx": true, ".shp.xml": true}
)

// source is a file ready for GDAL.
type source struct {
	path   string // absolute name of the data file (.geojson, .gpkg or .shp)
	driver string // the one driver that may open it
	// alias is the layer name the caller knows: a shapefile's own name when Go renamed
	// it while unpacking (GDAL names the layer after the file).
	alias string
	shown string   // the data file's name as the caller knows it, for messages
	work  string   // private folder: GDAL's HOME and TMPDIR, unpacked files
	env   []string // GDAL's environment (readerEnv)
	// encoding is what the file's text is read as (shapefiles: encoding.go).
	encoding Encoding
}

func fileErr(typ, zh, en string) *FileError { return &FileError{Type: typ, ZH: zh, EN: en} }

// openSource checks the file at p (named name by the caller, for messages) and
// prepares it for GDAL; the caller removes src.work.
func openSource(p, name string) (*source, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	// GDAL reads names starting with /vsi as virtual files (URLs, archives, memory):
	// only a plain local file may be opened.
	if strings.HasPrefix(abs, "/vsi") {
		return nil, fileErr(InvalidFile, "只能导入本地文件", fmt.Sprintf("%q is not a local file", p))
	}
	st, err := os.Stat(abs)
	if err != nil || !st.Mode().IsRegular() {
		return nil, fileErr(InvalidFile, "文件不存在或不是普通文件", fmt.Sprintf("%q is not a readable regular file", p))
	}
	work, err := os.MkdirTemp("", "landreg-import-")
	if err != nil {
		return nil, err
	}
	src := &source{work: work}
	err = src.prepare(abs, name)
	if err == nil {
		src.env, err = readerEnv(src.driver, work)
	}
	if err != nil {
		os.RemoveAll(work)
		return nil, err
	}
	return src, nil
}

func (s *source) prepare(abs, name string) error {
	ext := strings.ToLower(filepath.Ext(abs))
	if ext == ".zip" {
		if err := s.unzip(abs); err != nil {
			return err
		}
	} else if drv, ok := tableDrivers[ext]; ok {
		if s.shown = name; s.shown == "" {
			s.shown = filepath.Base(abs)
		}
		s.path, s.driver = abs, drv
		if drv == drvCSV {
			return s.transcodeCSV(abs)
		}
		return checkXLSX(abs, s.shown)
	} else {
		drv, ok := dataDrivers[ext]
		if !ok {
			return fileErr(InvalidFile, "不支持的文件类型 "+ext, fmt.Sprintf("unsupported file type %q: import .geojson, .gpkg, .shp or a .zip of one (enterprises and events: .xlsx or .csv)", ext))
		}
		s.path, s.driver = abs, drv
		if drv == drvShapefile && name != "" {
			s.alias = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		}
	}
	if s.shown == "" {
		s.shown = name
	}
	if s.shown == "" {
		s.shown = filepath.Base(abs)
	}
	if err := sniff(s.path, s.shown, s.driver); err != nil {
		return err
	}
	if s.driver == drvShapefile {
		// GDAL reads the .shx as much as the .shp.
		if shx := strings.TrimSuffix(s.path, filepath.Ext(s.path)) + ".shx"; fileExists(shx) {
			return sniff(shx, strings.TrimSuffix(s.shown, filepath.Ext(s.shown))+".shx", s.driver)
		}
	}
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// sniff checks a file's first bytes against the format its driver reads: a VRT, CSV
// or GPX named .geojson, or a GeoJSON named .gpkg, never reaches GDAL. shown is the
// file's name for the message.
func sniff(p, shown, driver string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	var ok bool
	var zh, en string
	switch driver {
	case drvGeoJSON:
		b := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
		ok, zh, en = len(b) > 0 && b[0] == '{', "GeoJSON（JSON 对象）", "GeoJSON (a JSON object)"
	case drvGPKG:
		ok, zh, en = bytes.HasPrefix(head, []byte("SQLite format 3\x00")), "GeoPackage（SQLite 数据库）", "a GeoPackage (an SQLite database)"
	case drvShapefile:
		ok, zh, en = bytes.HasPrefix(head, []byte{0, 0, 0x27, 0x0a}), "Shapefile", "a Shapefile"
	}
	if !ok {
		return fileErr(TypeMismatch, shown+" 的内容不是 "+zh+"，与扩展名不符",
			fmt.Sprintf("%s is not %s by its content; landreg opens a file only as the format its name says", shown, en))
	}
	return nil
}

// unzip unpacks the one data file of a zip (with its shapefile parts) into the work
// folder as upload.<ext>, after checking every entry: names that climb out or are
// absolute, links, archives in the archive, other kinds of file, too many entries or
// too many bytes are refused. GDAL never reads the archive itself: Go's view of it is
// the only one, and entry names (GBK ones from Chinese Windows included) never reach
// GDAL.
func (s *source) unzip(zipPath string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fileErr(TypeMismatch, "文件不是有效的 zip", filepath.Base(zipPath)+" is not a valid zip archive: "+err.Error())
	}
	defer zr.Close()
	refuse := func(zh, en string) error {
		return fileErr(UnsafeArchive, "zip 文件不可接受："+zh, "zip refused: "+en)
	}
	if len(zr.File) > MaxZipEntries {
		return refuse(fmt.Sprintf("条目超过 %d 个", MaxZipEntries), fmt.Sprintf("it has %d entries, at most %d are accepted", len(zr.File), MaxZipEntries))
	}
	var data *zip.File
	var dataExt string
	parts := map[string]*zip.File{}
	var total uint64
	for _, f := range zr.File {
		if why := badEntryName(f.Name); why != "" {
			return refuse("条目名称 "+f.Name+" 不安全", fmt.Sprintf("entry %q %s", f.Name, why))
		}
		// Finder's resource forks (__MACOSX/._x.shp) are no data of the file.
		if strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		if f.Mode().IsDir() {
			continue
		}
		if !f.Mode().IsRegular() {
			return refuse("条目 "+f.Name+" 是链接或特殊文件", fmt.Sprintf("entry %q is a link or special file (%v)", f.Name, f.Mode().Type()))
		}
		if f.Flags&1 != 0 {
			return refuse("条目 "+f.Name+" 已加密", fmt.Sprintf("entry %q is encrypted", f.Name))
		}
		if total += f.UncompressedSize64; total > MaxUnzipped {
			return refuse("解压后超过 2 GiB", fmt.Sprintf("it unpacks to more than %d bytes", MaxUnzipped))
		}
		ext := entryExt(f.Name)
		switch {
		case dataDrivers[ext] != "":
			if data != nil {
				return refuse("含多个数据文件", fmt.Sprintf("it holds several data files (%q, %q); zip one file at a time", data.Name, f.Name))
			}
			data, dataExt = f, ext
		case shapeParts[ext]:
			if parts[ext] != nil {
				return refuse("含多个 "+ext+" 文件", fmt.Sprintf("it holds two %s files (%q, %q)", ext, parts[ext].Name, f.Name))
			}
			parts[ext] = f
		case shapeUnneeded[ext]:
		default:
			return refuse("不允许的条目 "+f.Name, fmt.Sprintf("entry %q is not allowed: a zip may hold one .geojson, .gpkg or .shp "+
				"(with .shx .dbf .prj .cpg, and .qix .sbn .sbx .shp.xml), no other files and no archives", f.Name))
		}
	}
	if data == nil {
		return refuse("没有数据文件", "it holds no .shp, .gpkg or .geojson")
	}
	stem := strings.TrimSuffix(data.Name, path.Ext(data.Name))
	for ext, f := range parts {
		if dataExt != ".shp" || !sameName(strings.TrimSuffix(f.Name, path.Ext(f.Name)), stem) {
			return refuse("条目 "+f.Name+" 不属于数据文件", fmt.Sprintf("entry %q is not a part of %q", f.Name, data.Name))
		}
		if err := extract(f, filepath.Join(s.work, "upload"+ext)); err != nil {
			return err
		}
	}
	s.path, s.driver, s.shown = filepath.Join(s.work, "upload"+dataExt), dataDrivers[dataExt], data.Name
	if base := path.Base(stem); utf8.ValidString(base) && s.driver == drvShapefile {
		s.alias = base
	}
	return extract(data, s.path)
}

// badEntryName says what is wrong with a zip entry's name, "" when nothing.
func badEntryName(name string) string {
	switch {
	case name == "":
		return "has no name"
	case strings.HasPrefix(name, "/"):
		return "is an absolute path"
	case strings.ContainsAny(name, `\:`):
		return `contains \ or : (a Windows path)`
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "contains a control character"
	}
	for _, seg := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "climbs out of the archive or has an empty, . or .. segment"
		}
	}
	return ""
}

// entryExt is an entry's extension in lower case, .shp.xml counted as one.
func entryExt(name string) string {
	n := strings.ToLower(name)
	if strings.HasSuffix(n, ".shp.xml") {
		return ".shp.xml"
	}
	return path.Ext(n)
}

// sameName compares entry names case-insensitively when both are UTF-8 and exactly
// otherwise (GBK names would all fold to U+FFFD).
func sameName(a, b string) bool {
	return a == b || (utf8.ValidString(a) && utf8.ValidString(b) && strings.EqualFold(a, b))
}

func extract(f *zip.File, dst string) error {
	r, err := f.Open()
	if err != nil {
		return fileErr(UnsafeArchive, "zip 文件已损坏", fmt.Sprintf("zip refused: entry %q cannot be read: %v", f.Name, err))
	}
	defer r.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	// archive/zip stops at the size the entry declares and checks its CRC, so a lying
	// header cannot unpack more than was counted above.
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fileErr(UnsafeArchive, "zip 文件已损坏", fmt.Sprintf("zip refused: entry %q is damaged: %v", f.Name, err))
	}
	return err
}

// checkXLSX checks a workbook before GDAL opens it: a zip (by its first bytes) of at
// most maxXLSXEntries plain parts with safe names, at most MaxUnzipped unpacked, holding
// a workbook, and no part declaring a DTD (entities are how XML reads other files or
// expands a few bytes into gigabytes).
func checkXLSX(p, shown string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if n < 4 || !bytes.Equal(head, []byte("PK\x03\x04")) {
		return fileErr(TypeMismatch, shown+" 的内容不是 Excel 工作簿（.xlsx），与扩展名不符",
			shown+" is not an Excel workbook (.xlsx, a zip of XML parts) by its content; an old .xls must be saved as .xlsx")
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		return fileErr(TypeMismatch, shown+" 不是有效的 Excel 工作簿", shown+" is not a valid .xlsx (zip): "+err.Error())
	}
	defer zr.Close()
	refuse := func(zh, en string) error {
		return fileErr(UnsafeArchive, "工作簿不可接受："+zh, "workbook refused: "+en)
	}
	if len(zr.File) > maxXLSXEntries {
		return refuse("部件过多", fmt.Sprintf("it has %d parts, at most %d are accepted", len(zr.File), maxXLSXEntries))
	}
	var total uint64
	var workbook bool
	for _, e := range zr.File {
		if why := badEntryName(e.Name); why != "" {
			return refuse("部件名称 "+e.Name+" 不安全", fmt.Sprintf("part %q %s", e.Name, why))
		}
		if e.Mode().IsDir() {
			continue
		}
		if !e.Mode().IsRegular() || e.Flags&1 != 0 {
			return refuse("部件 "+e.Name+" 是链接或已加密", fmt.Sprintf("part %q is a link, special or encrypted", e.Name))
		}
		if total += e.UncompressedSize64; total > MaxUnzipped {
			return refuse("解压后超过 2 GiB", fmt.Sprintf("it unpacks to more than %d bytes", MaxUnzipped))
		}
		workbook = workbook || e.Name == "xl/workbook.xml"
		if n := strings.ToLower(e.Name); strings.HasSuffix(n, ".xml") || strings.HasSuffix(n, ".rels") {
			r, err := e.Open()
			if err != nil {
				return refuse("部件 "+e.Name+" 已损坏", fmt.Sprintf("part %q cannot be read: %v", e.Name, err))
			}
			b, _ := io.ReadAll(io.LimitReader(r, 4096))
			r.Close()
			if bytes.Contains(b, []byte("<!DOCTYPE")) || bytes.Contains(b, []byte("<!ENTITY")) {
				return refuse("部件 "+e.Name+" 声明了 DTD", fmt.Sprintf("part %q declares a DTD or entities, which no workbook needs", e.Name))
			}
		}
	}
	if !workbook {
		return fileErr(TypeMismatch, shown+" 不是 Excel 工作簿（缺少 xl/workbook.xml）", shown+" is a zip but not an Excel workbook (no xl/workbook.xml)")
	}
	return nil
}

// maxCSV bounds a CSV, which Go reads whole to check and transcode it.
const maxCSV = 512 << 20

// transcodeCSV checks a CSV (text: no NUL, not another format by its first bytes),
// decides its encoding (a UTF-8 BOM or valid UTF-8, else GB18030/GBK, as Excel on
// Chinese Windows saves it) and writes it as UTF-8 into the work folder for GDAL.
func (s *source) transcodeCSV(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if st.Size() > maxCSV {
		return fileErr(InvalidFile, "CSV 文件过大", fmt.Sprintf("%s has %d bytes; a CSV may have at most %d (use .xlsx or split it)", s.shown, st.Size(), maxCSV))
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	head := b[:min(len(b), 512)]
	for _, magic := range []string{"PK\x03\x04", "SQLite format 3", "%PDF", "\xd0\xcf\x11\xe0"} {
		if bytes.HasPrefix(head, []byte(magic)) {
			return fileErr(TypeMismatch, s.shown+" 的内容不是 CSV 文本，与扩展名不符",
				s.shown+" is not CSV text by its content (a workbook, database or document); save it as .csv or upload the .xlsx")
		}
	}
	if t := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n"); len(t) > 0 && (t[0] == '<' || t[0] == '{') {
		return fileErr(TypeMismatch, s.shown+" 的内容不是 CSV 文本（像 XML 或 JSON），与扩展名不符",
			s.shown+" is not CSV text by its content (it looks like XML or JSON)")
	}
	if k := bytes.IndexByte(b, 0); k >= 0 {
		return fileErr(TypeMismatch, s.shown+" 含有 NUL 字节，不是 CSV 文本", fmt.Sprintf("%s holds a NUL byte (offset %d): not CSV text (UTF-16? save it as UTF-8 or GBK)", s.shown, k))
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	switch {
	case utf8.Valid(b):
		s.encoding = Encoding{Name: "UTF-8", From: "detected"}
		if isASCII(b) {
			s.encoding.Name = "ASCII"
		}
	default:
		ok, four := validGB18030(b)
		if !ok {
			line := csvBadLine(b)
			return &EncodingError{File: *fileErr(InvalidFile, "CSV 文本既不是 UTF-8 也不是 GBK/GB18030 编码",
				fmt.Sprintf("the CSV's text is neither UTF-8 nor GBK/GB18030 (line %d): save it as UTF-8", line)),
				Problems: []Problem{{Index: -1, Code: "bad-encoding", Field: fmt.Sprintf("line %d", line), Message: fmt.Sprintf(
					"第 %d 行不是有效的 UTF-8 或 GBK/GB18030 文本 / line %d is not valid UTF-8 nor GBK/GB18030 text: save the file as UTF-8", line, line)}}}
		}
		s.encoding = Encoding{Name: "GBK", From: "detected"}
		if four {
			s.encoding.Name = "GB18030"
		}
		if b, err = simplifiedchinese.GB18030.NewDecoder().Bytes(b); err != nil {
			return fileErr(InvalidFile, "CSV 无法按 GB18030 解码", "the CSV cannot be decoded as GB18030: "+err.Error())
		}
	}
	s.path = filepath.Join(s.work, "upload.csv")
	return os.WriteFile(s.path, b, 0o600)
}

// csvBadLine is the line (from 1) of the first byte sequence valid in neither UTF-8 nor
// GB18030.
func csvBadLine(b []byte) int {
	for i, l := range bytes.Split(b, []byte("\n")) {
		if ok, _ := validGB18030(l); !ok && !utf8.Valid(l) {
			return i + 1
		}
	}
	return 1
}
