package fixtureworld

// Default returns the offline copies of the seed agencies' sites (see
// testdata/README.md): gaj.changsha.gov.cn, gaj.jiyuan.gov.cn,
// www.xtx.gov.cn, www.shengsi.gov.cn, gaj.ningbo.gov.cn, the extra seed
// www.hongze.gov.cn (a PDF report) and off-scope hosts.
func Default() (*World, error) {
	w := newWorld()
	return w, nil
}
