package exchange

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Spreadsheets and CSV files (表格) are how the tax and economic bureaus send figures:
// one row per enterprise, Chinese headers, no geometry. They go through the same checks
// as spatial files (source.go): the content must be what the name says, and GDAL opens
// them with that one driver only.

// sniffTable checks the first bytes of a CSV (text: no NUL, not JSON or XML) or an XLSX
// (a zip, as every Office Open XML file).
func sniffTable(head []byte, driver string) (ok bool, zh, en string) {
	if driver == drvXLSX {
		return bytes.HasPrefix(head, []byte("PK\x03\x04")), "Excel 工作簿（.xlsx）", "an Excel workbook (.xlsx, a zip)"
	}
	b := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(b) > 0 && bytes.IndexByte(head, 0) < 0 && b[0] != '{' && b[0] != '[' && b[0] != '<',
		"CSV 文本表格", "a CSV text table"
}

// MaxXLSXEntries bounds the parts of a workbook GDAL unpacks (a real one has a dozen
// plus one per sheet).
const MaxXLSXEntries = 1000

// prepareTable readies a table for GDAL: a workbook must be a zip of bounded size with a
// workbook part (GDAL unpacks it itself); a CSV that is not UTF-8 is read as GB18030
// (GBK and GB2312 are subsets; Excel on Chinese Windows saves CSV so) and handed to
// GDAL converted, with a note of the encoding. Text valid in neither is refused.
func (s *source) prepareTable() error {
	if s.driver == drvXLSX {
		zr, err := zip.OpenReader(s.path)
		if err != nil {
			return fileErr(TypeMismatch, s.shown+" 不是有效的 Excel 工作簿", s.shown+" is not a valid .xlsx workbook: "+err.Error())
		}
		defer zr.Close()
		if len(zr.File) > MaxXLSXEntries {
			return fileErr(UnsafeArchive, "工作簿部件过多", fmt.Sprintf("the workbook has %d parts, at most %d are accepted", len(zr.File), MaxXLSXEntries))
		}
		var total uint64
		book := false
		for _, f := range zr.File {
			total += f.UncompressedSize64
			book = book || f.Name == "xl/workbook.xml"
		}
		if total > MaxUnzipped {
			return fileErr(UnsafeArchive, "工作簿解压后超过 2 GiB", fmt.Sprintf("the workbook unpacks to more than %d bytes", MaxUnzipped))
		}
		if !book {
			return fileErr(TypeMismatch, s.shown+" 不是 Excel 工作簿（缺少 xl/workbook.xml）", s.shown+" is a zip but not an .xlsx workbook (no xl/workbook.xml)")
		}
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return err
	}
	if utf8.Valid(b) {
		return nil
	}
	u, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(u) || bytes.ContainsRune(u, utf8.RuneError) {
		return fileErr(InvalidFile, s.shown+" 的文字既非 UTF-8 也非 GBK/GB18030", s.shown+" is text in neither UTF-8 nor GBK/GB18030; save it as UTF-8 CSV")
	}
	dst := filepath.Join(s.work, "upload.csv")
	if err := os.WriteFile(dst, u, 0o600); err != nil {
		return err
	}
	s.path, s.encoding = dst, "GB18030"
	return nil
}
