package fixtureworld

// HostileHost is the host of the Hostile world.
const HostileHost = "hostile.example.gov.cn"

// Hostile returns one host whose index links to misbehaving endpoints
// (/flaky, /throttle, /slow, /huge, /bomb, /binary, /offsite) and to one real
// report page.
func Hostile() *World {
	w := newWorld()
	return w
}
