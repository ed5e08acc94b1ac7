package audit

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/nianbao/nianbao/archive"
	"github.com/nianbao/nianbao/report"
	"github.com/nianbao/nianbao/seeds"
)

// TestRunWhileWriterGrowsFile runs audits concurrently with a writer that
// makes the file grow (and so bbolt remap) many times. An audit that opened
// a read transaction inside another would deadlock with the remap; every
// audit must finish within 10 s.
func TestRunWhileWriterGrowsFile(t *testing.T) {
	a, err := archive.Open(filepath.Join(t.TempDir(), "a.db"), archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	agencies := []seeds.Agency{{Name: "甲县公安局", URL: "http://gaj.jia.gov.cn/"}}
	for y := 2019; y <= 2023; y++ {
		u := fmt.Sprintf("http://gaj.jia.gov.cn/nb/%d.html", y)
		c := &archive.Capture{URL: u, Status: 200, Agency: agencies[0].Name, Role: archive.RoleReport, FetchedAt: time.Date(y+1, 1, 20, 0, 0, 0, 0, time.UTC)}
		if err := a.Put(c, []byte(u), ""); err != nil {
			t.Fatal(err)
		}
		pub := fmt.Sprintf("%d-01-20", y+1)
		data, _ := report.MarshalReportCompact(&report.Report{Agency: agencies[0].Name, Year: y, Published: &pub, Source: report.Source{URL: u, CaptureID: c.ID}})
		if err := a.PutReport(c.ID, data); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg, writers sync.WaitGroup
	var mu sync.Mutex
	puts, audits := 0, 0
	for w := 0; w < 6; w++ { // the writers: 3,000 captures of 4 KiB, each a new body
		writers.Add(1)
		go func() {
			defer writers.Done()
			body := make([]byte, 4096)
			for i := 0; i < 500 && ctx.Err() == nil; i++ {
				_, _ = rand.Read(body)
				c := &archive.Capture{URL: fmt.Sprintf("http://gaj.jia.gov.cn/news/%d-%d.html", w, i), Status: 200, Agency: agencies[0].Name, Role: archive.RoleOther}
				if err := a.Put(c, body, ""); err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				puts++
				mu.Unlock()
			}
		}()
	}
	go func() { writers.Wait(); cancel() }()
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				done := make(chan error, 1)
				go func() {
					entries, err := Run(a, agencies, 2019, 2023, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
					if err == nil && len(entries) != 5 {
						err = fmt.Errorf("%d entries, want 5", len(entries))
					}
					done <- err
				}()
				select {
				case err := <-done:
					if err != nil {
						t.Error(err)
						return
					}
				case <-time.After(10 * time.Second):
					_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
					t.Error("an audit did not finish in 10 s while the writer grew the file: deadlock")
					cancel()
					return
				}
				mu.Lock()
				audits++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	st, _ := os.Stat(a.Path())
	t.Logf("%d puts, %d audits, file %d bytes", puts, audits, st.Size())
	if puts != 3000 {
		t.Errorf("writer made %d puts, want 3000", puts)
	}
}
