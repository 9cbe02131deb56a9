package api

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/landreg/landreg/exchange"
	"github.com/landreg/landreg/store"
)

// routesExchange registers file import and export (issue 6; docs/exchange.md) under /v1.
func (s *Server) routesExchange(g *echo.Group) {
	// A province's parcels as a GeoPackage run to hundreds of MB; the server-wide 16 MiB
	// body limit is lifted for this route only, to this bound.
	g.POST("/imports", s.postImport, middleware.BodyLimit("1G"))
	g.GET("/exports/:collection", s.getExport)
}

// importRefused is the problem of a file with errors: nothing was written, and the
// report says which features and why.
type importRefused struct {
	*Problem
	Report *exchange.Report `json:"report"`
}

// maxUploadParts bounds the files of one upload (a shapefile's parts, unzipped).
const maxUploadParts = 10

// postImport takes a multipart upload: file (.geojson, .gpkg, a .zip of a shapefile, or
// the shapefile's parts as several file fields) and kind=parcels|block-lines, with
// optional dry_run, crs, layer, mapping (JSON), encoding, xzqdm, adjustment_kind,
// effective_date, doc_no, reason.
func (s *Server) postImport(c echo.Context) error {
	kind, err := exchange.ParseKind(c.FormValue("kind"))
	if err != nil {
		return badParam("kind", "kind 须为 parcels 或 block-lines", "kind must be parcels or block-lines")
	}
	role := store.RoleRegistrar
	if kind == exchange.BlockLines {
		role = store.RolePlanner
	}
	if err := checkRole(c, role); err != nil {
		return err
	}
	form, err := c.MultipartForm()
	if err != nil {
		return badParam("file", "须为 multipart/form-data 上传", "send the file as multipart/form-data")
	}
	files := form.File["file"]
	if len(files) == 0 || len(files) > maxUploadParts {
		return badParam("file", "缺少上传文件 file", "upload the file in the form field 'file' (.geojson, .gpkg or a .zip of a shapefile)")
	}
	opt := exchange.ImportOptions{Kind: kind, Layer: c.FormValue("layer"), CRS: c.FormValue("crs"), Encoding: c.FormValue("encoding"),
		Xzqdm: c.FormValue("xzqdm"), AdjustmentKind: c.FormValue("adjustment_kind"), DocNo: c.FormValue("doc_no"),
		Change: store.Change{Actor: actor(c), Reason: c.FormValue("reason")}}
	if v := c.FormValue("dry_run"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return badParam("dry_run", "dry_run 须为 true 或 false", "dry_run must be true or false")
		}
		opt.DryRun = b
	}
	if opt.AdjustmentKind != "" && !adjustmentKinds[opt.AdjustmentKind] {
		return badParam("adjustment_kind", "调整类型须为 划定、调整、补划、纠错 或 评估优化", "adjustment_kind must be 划定, 调整, 补划, 纠错 or 评估优化")
	}
	if v := c.FormValue("effective_date"); v != "" {
		d, p := parseDate("effective_date", v)
		if p != nil {
			return p
		}
		opt.Change.Effective = d
	}
	if m := c.FormValue("mapping"); m != "" {
		mm, err := exchange.ParseMapping([]byte(m))
		if err != nil {
			return badParam("mapping", "字段映射须为 JSON 对象", err.Error())
		}
		opt.Mapping = mm
	}
	dir, err := os.MkdirTemp("", "landreg-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var main string
	for _, fh := range files {
		name := filepath.Base(strings.ReplaceAll(fh.Filename, `\`, "/"))
		ext := strings.ToLower(filepath.Ext(name))
		switch ext {
		case ".geojson", ".json", ".gpkg", ".zip", ".shp", ".shx", ".dbf", ".prj", ".cpg":
		default:
			return badParam("file", "不支持的文件类型 "+ext, "unsupported file type "+fmt.Sprintf("%q", name)+": upload .geojson, .gpkg, or a shapefile (.zip, or .shp with .shx .dbf .prj .cpg)")
		}
		if err := saveUpload(fh, filepath.Join(dir, name)); err != nil {
			return err
		}
		if ext != ".shx" && ext != ".dbf" && ext != ".prj" && ext != ".cpg" {
			if main != "" {
				return badParam("file", "一次只能导入一个数据文件", "upload one data file at a time (plus a shapefile's .shx/.dbf/.prj/.cpg)")
			}
			main = filepath.Join(dir, name)
			opt.Name = name
		}
	}
	if main == "" {
		return badParam("file", "缺少 .shp 文件", "a shapefile upload needs its .shp")
	}
	opt.Path = main
	rep, err := exchange.Import(c.Request().Context(), s.pool, opt)
	if err != nil {
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
	switch {
	case rep.OK() && !opt.DryRun:
		return writeJSON(c, http.StatusCreated, echo.MIMEApplicationJSON, rep)
	case rep.OK() || opt.DryRun:
		return writeJSON(c, http.StatusOK, echo.MIMEApplicationJSON, rep)
	}
	p := problem(http.StatusUnprocessableEntity, "import-refused", "Import refused",
		fmt.Sprintf("文件有 %d 个错误，未写入任何数据", rep.Errors), fmt.Sprintf("the file has %d errors; nothing was written (see report.problems)", rep.Errors))
	p.Instance = c.Request().URL.RequestURI()
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	return jsonEncode(c.Response(), importRefused{Problem: p, Report: rep})
}

func saveUpload(fh *multipart.FileHeader, path string) error {
	in, err := fh.Open()
	if err != nil {
		return err
	}
	defer in.Close()
	return exchange.WriteFile(path, in)
}

// getExport streams a collection as of a date: GET /v1/exports/{collection}?format=gpkg|shp|geojson&date=&crs=
func (s *Server) getExport(c echo.Context) error {
	for k := range c.QueryParams() {
		if k != "format" && k != "date" && k != "crs" {
			return badParam(k, "未知参数 "+k, "unknown parameter "+k+"; use format, date, crs")
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
	opt := exchange.ExportOptions{Collection: coll, Format: format, CRS: c.QueryParam("crs")}
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
