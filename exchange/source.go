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
	// Tables without geometry, as bureaus send figures (indicators.go).
	drvCSV  = "CSV"
	drvXLSX = "XLSX"
)

var dataDrivers = map[string]string{".geojson": drvGeoJSON, ".json": drvGeoJSON, ".gpkg": drvGPKG, ".shp": drvShapefile,
	".csv": drvCSV, ".xlsx": drvXLSX}

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
	shown string // the data file's name as the caller knows it, for messages
	work  string // private folder: GDAL's HOME and TMPDIR, unpacked files
	// encoding is the character set a table was converted from ("" = UTF-8 as sent).
	encoding string
	env      []string // GDAL's environment (readerEnv)
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
	} else {
		drv, ok := dataDrivers[ext]
		if !ok {
			return fileErr(InvalidFile, "不支持的文件类型 "+ext, fmt.Sprintf("unsupported file type %q: import .geojson, .gpkg, .shp or a .zip of one", ext))
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
	if s.driver == drvCSV || s.driver == drvXLSX {
		return s.prepareTable()
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
	case drvCSV, drvXLSX:
		ok, zh, en = sniffTable(head, driver)
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
