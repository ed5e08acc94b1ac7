package extract

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkParseHTML measures Parse (Sniff, ReadHTML, ParseDocument) of a
// typical Word-export HTML report page: seed 000 (UTF-8, TRS #zoom page)
// and seed 004 (GBK, layout-table page).
func BenchmarkParseHTML(b *testing.B) {
	for _, name := range []string{"000_058c891ac62dd96d", "004_dda7dad8d758c7d1"} {
		data, err := os.ReadFile("testdata/html/" + name + ".html")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Parse(name+".html", data, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
			// CPU time of the whole process (GC included): the machine may
			// be shared, and wall time then says little.
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "reports/cpu-s")
			}
		})
	}
}

// BenchmarkReadHTML measures the reader alone (no template parsing).
func BenchmarkReadHTML(b *testing.B) {
	data, err := os.ReadFile("testdata/html/000_058c891ac62dd96d.html")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ReadHTML(data, ""); err != nil {
			b.Fatal(err)
		}
	}
}
