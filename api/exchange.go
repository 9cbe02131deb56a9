package api

import (
	"github.com/landreg/landreg"

	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// routesExchange registers file import and export (issue 6; docs/exchange.md) under /v1.
func (s *Server) routesExchange(g *echo.Group) {
	// The token and a role that may import something are checked from the headers,
	// before a byte of the body is read; postImport bounds the body itself (the
	// server-wide 16 MiB limit skips this route).
	g.POST("/imports", s.postImport, requireRole(landreg.RoleRegistrar, landreg.RolePlanner))
	g.GET("/exports/:collection", s.getExport)
}

// DefaultMaxUpload bounds a POST /v1/imports body unless Config.MaxUpload says otherwise.
const DefaultMaxUpload = 256 << 20

func (s *Server) maxUpload() int64 {
	if s.cfg.MaxUpload > 0 {
		return s.cfg.MaxUpload
	}
	return DefaultMaxUpload
}

// importRefused is the problem of a file with errors: nothing was written, and the
// report says which features and why.
type importRefused struct {
	*Problem
	Report *exchange.Report `json:"report"`
}

// maxUploadParts bounds the parts of one form: the files (one per extension) and the
// fields.
const maxUploadParts = 32

// importFields are the form fields besides file; each may come once, at most
// maxFieldBytes long.
var importFields = map[string]bool{"kind": true, "dry_run": true, "crs": true, "layer": true, "mapping": true, "encoding": true,
	"xzqdm": true, "reason": true, "effective_date": true, "adjustment_kind": true, "doc_no": true, "proposed_on": true,
	"create_holders": true, "update": true, "year": true, "published_on": true}

const maxFieldBytes = 1 << 20

// Extensions of uploaded files: one data file, or a shapefile's .shp with its parts.
var (
	uploadData  = map[string]bool{".geojson": true, ".json": true, ".gpkg": true, ".zip": true, ".shp": true, ".xlsx": true, ".csv": true}
	uploadParts = map[string]bool{".shx": true, ".dbf": true, ".prj": true, ".cpg": true}
)

// postImport takes a multipart upload: file (.geojson, .gpkg, a .zip of a shapefile, or
// the shapefile's parts as several file fields) and kind=parcels|block-lines, with
// optional dry_run, create_holders, crs, layer, mapping (JSON), encoding, xzqdm,
// adjustment_kind, effective_date, doc_no, reason (readUpload).
func (s *Server) postImport(c echo.Context) error {
	req := c.Request()
	limit := s.maxUpload()
	if req.ContentLength > limit {
		return tooLarge(limit)
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
	var kind exchange.Kind
	up, err := readUpload(c, importFields, limit, func(field, value string) (err error) {
		// The role each kind needs is known as soon as the kind is: a planner's upload
		// of parcels is refused before its file is read, when kind comes first.
		if field == "kind" {
			kind, err = s.importKind(c, value)
		}
		return err
	})
	if up != nil {
		defer os.RemoveAll(up.dir)
	}
	if err != nil {
		return err
	}
	form, main, mainName := up.form, up.main, up.mainName
	if _, ok := form["kind"]; !ok {
		if _, err := s.importKind(c, ""); err != nil {
			return err
		}
	}
	if err := up.needFile(); err != nil {
		return err
	}
	opt := exchange.ImportOptions{Kind: kind, Path: main, Name: mainName, Layer: form["layer"], CRS: form["crs"], Encoding: form["encoding"],
		Xzqdm: form["xzqdm"], AdjustmentKind: form["adjustment_kind"], DocNo: form["doc_no"],
		Change: store.Change{Actor: actor(c)}}
	if v := form["published_on"]; v != "" {
		if _, p := parseDate("published_on", v); p != nil {
			return p
		}
		opt.PublishedOn = v
	}
	reason, rp := reasonOf(c, form["reason"])
	if rp != nil {
		return rp
	}
	opt.Change.Reason = reason
	if v := form["dry_run"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badParam("dry_run", "dry_run 须为 true 或 false", "dry_run must be true or false")
		}
		opt.DryRun = b
	}
	if v := form["year"]; v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || y < minYear || y > maxYear {
			return badParam("year", "year 须为 1900–2199 间的年份", "year must be a year from 1900 to 2199, got "+strconv.Quote(v))
		}
		opt.Year = y
	}
	if v := form["create_holders"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badParam("create_holders", "create_holders 须为 true 或 false", "create_holders must be true or false")
		}
		opt.CreateHolders = b
	}
	if v := form["update"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badParam("update", "update 须为 true 或 false", "update must be true or false")
		}
		opt.Update = b
	}
	if opt.AdjustmentKind != "" && !adjustmentKinds[opt.AdjustmentKind] {
		return badParam("adjustment_kind", "调整类型须为 划定、划定更正、调整、补划、纠错 或 评估优化", "adjustment_kind must be 划定, 划定更正, 调整, 补划, 纠错 or 评估优化")
	}
	if store.IsDelineation(opt.AdjustmentKind) {
		// A delineation fixes the district's baseline (issue 13.2): admins only.
		if err := checkRole(c); err != nil {
			return err
		}
	}
	if v := form["effective_date"]; v != "" {
		d, p := parseDate("effective_date", v)
		if p != nil {
			return p
		}
		opt.Change.Effective = d
	}
	if v := form["proposed_on"]; v != "" {
		d, p := parseDate("proposed_on", v)
		if p != nil {
			return p
		}
		opt.ProposedOn = &d
	}
	if m := form["mapping"]; m != "" {
		mm, err := exchange.ParseMapping([]byte(m))
		if err != nil {
			return badParam("mapping", "字段映射须为 JSON 对象", err.Error())
		}
		opt.Mapping = mm
	}
	rep, err := exchange.Import(req.Context(), s.pool, opt)
	if err != nil {
		return fileProblem(err)
	}
	switch {
	case rep.OK() && !opt.DryRun:
		return writeJSON(c, http.StatusCreated, echo.MIMEApplicationJSON, rep)
	case rep.OK() || opt.DryRun:
		return writeJSON(c, http.StatusOK, echo.MIMEApplicationJSON, rep)
	}
	p := problem(http.StatusUnprocessableEntity, "import-refused", "Import refused",
		fmt.Sprintf("文件有 %d 个错误，未写入任何数据", rep.Errors), fmt.Sprintf("the file has %d errors; nothing was written (see report.problems)", rep.Errors))
	p.Instance = req.URL.RequestURI()
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	return jsonEncode(c.Response(), importRefused{Problem: p, Report: rep})
}

// upload is a multipart form read by readUpload: its fields, and the data file saved
// under a name of the server's choosing in dir (which the caller removes).
type upload struct {
	dir            string
	form           map[string]string
	saved          map[string]bool // extensions of the saved files
	main, mainName string          // the data file, and its name as the caller sent it
}

// readUpload streams a multipart body part by part: files (field file: one data file,
// or a shapefile's .shp with its parts) go straight to a private folder as
// upload.<ext>, never to Go's multipart spool, and the caller's file names never reach
// GDAL; fields (each once, at most maxFieldBytes) must be among fields and are passed
// to onField as they arrive. The body is already bounded by limit, for messages.
func readUpload(c echo.Context, fields map[string]bool, limit int64, onField func(field, value string) error) (*upload, error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return nil, badParam("file", "须为 multipart/form-data 上传", "send the file as multipart/form-data")
	}
	dir, err := os.MkdirTemp("", "landreg-import-")
	if err != nil {
		return nil, err
	}
	up := &upload{dir: dir, form: map[string]string{}, saved: map[string]bool{}}
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return up, partError(err, limit)
		}
		if n >= maxUploadParts {
			return up, badParam("file", "表单字段过多", "the form has too many parts")
		}
		field := p.FormName()
		switch {
		case field == "file":
			name, perr := uploadName(p)
			if perr != nil {
				return up, perr
			}
			ext := strings.ToLower(filepath.Ext(name))
			if !uploadData[ext] && !uploadParts[ext] {
				return up, badParam("file", "不支持的文件类型 "+ext, "unsupported file type "+fmt.Sprintf("%q", name)+": upload .geojson, .gpkg, or a shapefile (.zip, or .shp with .shx .dbf .prj .cpg); enterprises and events .xlsx or .csv")
			}
			if up.saved[ext] {
				return up, badParam("file", "重复的 "+ext+" 文件", "two "+ext+" files: upload one data file at a time (plus a shapefile's .shx/.dbf/.prj/.cpg)")
			}
			if uploadData[ext] {
				if up.main != "" {
					return up, badParam("file", "一次只能导入一个数据文件", "upload one data file at a time (plus a shapefile's .shx/.dbf/.prj/.cpg)")
				}
				up.main, up.mainName = filepath.Join(dir, "upload"+ext), name
			}
			up.saved[ext] = true
			if err := saveUpload(p, filepath.Join(dir, "upload"+ext)); err != nil {
				return up, uploadError(err, limit)
			}
		case fields[field]:
			if _, dup := up.form[field]; dup {
				return up, badParam(field, field+" 重复", field+" is given twice")
			}
			b, err := io.ReadAll(io.LimitReader(p, maxFieldBytes+1))
			if err != nil {
				return up, uploadError(err, limit)
			}
			if len(b) > maxFieldBytes {
				return up, badParam(field, field+" 过长", fmt.Sprintf("%s is longer than %d bytes", field, maxFieldBytes))
			}
			if !cleanText(string(b)) {
				return up, badParam(field, field+" 含有 NUL 或无效的 UTF-8 字符", field+" holds NUL or invalid UTF-8")
			}
			up.form[field] = string(b)
			if onField != nil {
				if err := onField(field, up.form[field]); err != nil {
					return up, err
				}
			}
		default:
			return up, badParam(field, "未知字段 "+field, "unknown form field "+fmt.Sprintf("%q", field))
		}
	}
	return up, nil
}

// needFile: the upload holds one data file (a shapefile's parts only with their .shp).
func (up *upload) needFile() error {
	switch {
	case len(up.saved) == 0:
		return badParam("file", "缺少上传文件 file", "upload the file in the form field 'file' (.geojson, .gpkg or a .zip of a shapefile)")
	case up.main == "" || (len(up.saved) > 1 && !strings.EqualFold(filepath.Ext(up.main), ".shp")):
		return badParam("file", "缺少 .shp 文件", "a shapefile's .shx/.dbf/.prj/.cpg need its .shp, and go with nothing else")
	}
	return nil
}

var fileErrorTitles = map[string]string{exchange.TypeMismatch: "File is not what its name says",
	exchange.UnsafeArchive: "Archive refused", exchange.InvalidFile: "Unusable file"}

// importKind parses kind and checks that the token's role may import it.
func (s *Server) importKind(c echo.Context, v string) (exchange.Kind, error) {
	kind, err := exchange.ParseKind(v)
	if err != nil {
		return "", badParam("kind", "kind 须为 parcels、block-lines、enterprises、events、indicators 或 mujun-classes", "kind must be parcels, block-lines, enterprises, events, indicators or mujun-classes")
	}
	role := landreg.RoleRegistrar
	switch kind {
	case exchange.BlockLines:
		role = landreg.RolePlanner
	case exchange.Classes:
		// Official classes are the admins' (as POST /v1/mujun/classes).
		return kind, checkRole(c)
	}
	return kind, checkRole(c, role)
}

// uploadName is the file name a part was sent with, refused when it could not be the
// name of one file: empty, over 255 bytes (the limit of Linux and most file systems),
// with a path (/ or \), a control character or a NUL. Read from the raw header: Go's
// Part.FileName would silently cut a path to its last element.
func uploadName(p *multipart.Part) (string, *Problem) {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	name := params["filename"]
	bad := func(zh, en string) (string, *Problem) {
		pr := problem(http.StatusBadRequest, "invalid-file-name", "Invalid file name", zh, en)
		pr.Field = "file"
		return "", pr
	}
	switch {
	case err != nil || name == "":
		return bad("file 字段缺少文件名", "the file field carries no file name")
	case len(name) > 255:
		return bad("文件名超过 255 字节", fmt.Sprintf("the file name has %d bytes; at most 255 are accepted", len(name)))
	case strings.ContainsAny(name, `/\`):
		return bad("文件名不能含路径（/ 或 \\）", fmt.Sprintf("the file name %q holds a path; send the file's own name", name))
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return bad("文件名含控制字符或无效编码", fmt.Sprintf("the file name %q holds control characters or is not UTF-8", name))
	case name == "." || name == "..":
		return bad("文件名无效", fmt.Sprintf("%q is not a file name", name))
	}
	return name, nil
}

// partError turns a failure to read a part's headers into a problem: 413 past the
// limit, else 400 for a malformed body (Go's multipart reader refuses a header with a
// NUL or a bare line break, which is how such file names arrive).
func partError(err error, limit int64) error {
	if e := uploadError(err, limit); e != err {
		return e
	}
	if strings.Contains(err.Error(), "filename=") {
		p := problem(http.StatusBadRequest, "invalid-file-name", "Invalid file name", "文件名含控制字符", "the file name holds a control character: "+err.Error())
		p.Field = "file"
		return p
	}
	return badParam("file", "multipart 请求体格式错误", "malformed multipart body: "+err.Error())
}

// uploadError turns a failure while reading the body into a problem: 413 past the
// limit, 400 for a body cut short; anything else (the client left) stays an error.
func uploadError(err error, limit int64) error {
	var big *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &big), errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		// The second is echo's server-wide body limit (district boundaries).
		return tooLarge(limit)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badParam("file", "请求体不完整", "the multipart body ends before its last part does")
	}
	return err
}

func tooLarge(limit int64) *Problem {
	p := problem(http.StatusRequestEntityTooLarge, "payload-too-large", "Payload too large",
		fmt.Sprintf("上传超过 %d MiB 上限", limit>>20), fmt.Sprintf("the upload exceeds the limit of %d bytes (serve --max-upload)", limit))
	p.Field = "file"
	return p
}

func saveUpload(r io.Reader, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// getExport streams a collection as of a date: GET /v1/exports/{collection}?format=gpkg|shp|geojson&date=&crs=
func (s *Server) getExport(c echo.Context) error {
	for k := range c.QueryParams() {
		if k != "format" && k != "date" && k != "crs" && k != "district" {
			return badParam(k, "未知参数 "+k, "unknown parameter "+k+"; use format, date, crs, district")
		}
	}
	coll, err := exchange.ParseCollection(c.Param("collection"))
	if err != nil {
		return notFound("没有这个数据集", "no such collection; use parcels, block-lines or districts")
	}
	f := c.QueryParam("format")
	if f == "" {
		f = exchange.GPKG
	}
	format, err := exchange.ParseFormat(f)
	if err != nil {
		return badParam("format", "format 须为 gpkg、shp 或 geojson", "format must be gpkg, shp or geojson")
	}
	opt := exchange.ExportOptions{Collection: coll, Format: format, CRS: c.QueryParam("crs"), District: c.QueryParam("district")}
	if d := opt.District; d != "" && (len(d) != 6 || strings.Trim(d, "0123456789") != "") {
		return badParam("district", "district 须为 6 位行政区划代码", "district must be a 6-digit district code")
	}
	if v := c.QueryParam("date"); v != "" {
		d, p := parseDate("date", v)
		if p != nil {
			return p
		}
		opt.Date = d
	}
	tmp, err := os.CreateTemp("", "landreg-export-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	if err := exchange.Export(c.Request().Context(), s.pool, opt, name); err != nil {
		var ie *exchange.InputError
		if errors.As(err, &ie) {
			return badParam("crs", ie.ZH, ie.EN)
		}
		return err
	}
	file, err := os.Open(name)
	if err != nil {
		return err
	}
	defer file.Close()
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, exchange.MediaType(format))
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, exchange.FileName(coll, format, opt.Date)))
	if st, err := file.Stat(); err == nil {
		h.Set("Last-Modified", st.ModTime().UTC().Format(http.TimeFormat))
	}
	c.Response().WriteHeader(http.StatusOK)
	_, err = io.Copy(c.Response(), file)
	return err
}

// fileProblem renders a refusal of a caller's file (an import, a district boundary).
func fileProblem(err error) error {
	var fe *exchange.FileError
	if errors.As(err, &fe) {
		p := problem(http.StatusUnprocessableEntity, fe.Type, fileErrorTitles[fe.Type], fe.ZH, fe.EN)
		p.Field = "file"
		return p
	}
	var ie *exchange.InputError
	if errors.As(err, &ie) {
		p := problem(http.StatusUnprocessableEntity, "invalid-file", "Unusable file", ie.ZH, ie.EN)
		p.Field = "file"
		return p
	}
	if errors.Is(err, exchange.ErrNoGDAL) {
		return problem(http.StatusServiceUnavailable, "gdal-missing", "GDAL not installed", "服务器未安装 GDAL", err.Error())
	}
	return err
}
