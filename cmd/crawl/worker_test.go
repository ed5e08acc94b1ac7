package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"strings"
	"testing"
)

// TestWorkerFlags: the worker's command line is checked before it dials
// Redis, and the unit in deploy/ parses (it fails only on Redis, absent).
func TestWorkerFlags(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String() // nothing answers there once closed
	ln.Close()
	unit, err := os.ReadFile("../../deploy/nianbao-worker.service")
	if err != nil {
		t.Fatal(err)
	}
	var unitArgs []string
	for _, line := range strings.Split(string(unit), "\n") {
		if cmd, ok := strings.CutPrefix(line, "ExecStart=/usr/local/bin/nianbao-crawl "); ok {
			cmd = strings.ReplaceAll(cmd, "%H", "host")
			cmd = strings.ReplaceAll(cmd, "redis://COORDINATOR:6379", "redis://"+dead)
			unitArgs = strings.Fields(strings.ReplaceAll(cmd, "COORDINATOR", "127.0.0.1"))
		}
	}
	if unitArgs == nil {
		t.Fatal("no ExecStart in deploy/nianbao-worker.service")
	}
	t.Setenv("NIANBAO_TOKEN", "")
	base := []string{"-worker", "-redis", "redis://" + dead + "/0", "-coordinator", "http://127.0.0.1:1"}
	cases := []struct {
		name string
		args []string
		env  string
		code int
		want string
	}{
		{"no token", base, "", 1, "-token"},
		{"token from the environment", base, "t", 2, "redis"},
		{"-db does not go with -worker", append([]string{"-db", "x.db", "-token", "t"}, base...), "", 1, "-db does not go"},
		{"bad coordinator", []string{"-worker", "-redis", "redis://" + dead, "-coordinator", "127.0.0.1:8080", "-token", "t"}, "", 1, "want http://"},
		{"short lease", append([]string{"-lease", "1s", "-token", "t"}, base...), "", 1, "-lease"},
		{"the deploy unit", unitArgs, "t", 2, "redis"},
	}
	for _, c := range cases {
		t.Setenv("NIANBAO_TOKEN", c.env)
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%s: crawl %s: exit %d, stderr %q; want %d and %q", c.name, strings.Join(c.args, " "), code, errb.String(), c.code, c.want)
		}
	}
}
