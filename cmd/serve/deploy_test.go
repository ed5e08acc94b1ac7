package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeployCommandLines checks that every serve command line in deploy/
// (systemd units, crontab example) parses: run gets past its flags and
// fails only on the missing seeds file.
func TestDeployCommandLines(t *testing.T) {
	// The coordinator's unit reads the token from its environment file.
	t.Setenv("NIANBAO_TOKEN", "token-of-the-environment-file")
	files, err := filepath.Glob("../../deploy/*")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".md") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			_, cmd, ok := strings.Cut(line, "/usr/local/bin/nianbao-serve ")
			if !ok {
				continue
			}
			if i := strings.Index(cmd, ">"); i >= 0 { // crontab redirection
				cmd = cmd[:i]
			}
			args := strings.Fields(cmd)
			for i := 0; i+1 < len(args); i++ {
				switch args[i] {
				case "-seeds":
					args[i+1] = filepath.Join(t.TempDir(), "missing-seeds.txt")
				case "-db":
					args[i+1] = filepath.Join(t.TempDir(), "archive.db")
				}
			}
			found++
			var out, errb syncBuffer
			code := run(context.Background(), args, &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), "missing-seeds.txt") {
				t.Errorf("%s: serve %s: exit %d, stderr %q; want the flags accepted", filepath.Base(f), strings.Join(args, " "), code, errb.String())
			}
		}
	}
	if found != 4 {
		t.Errorf("found %d serve command lines in deploy/, want 4 (service, oneshot service, crontab, cluster coordinator)", found)
	}
}
