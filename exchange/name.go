package exchange

// GDALName is the name GDAL opens a file by (a .zip through /vsizip/).
func GDALName(path string) string { return gdalSource(path) }
