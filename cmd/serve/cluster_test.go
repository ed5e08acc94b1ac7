package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestClusterFlags: -redis needs a token and the web server; a Redis that
// does not answer is a runtime error, after the seeds are read.
func TestClusterFlags(t *testing.T) {
	t.Setenv("NIANBAO_TOKEN", "")
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no token", []string{"-redis", "redis://127.0.0.1:1/0"}, 1, "-token"},
		{"with -once", []string{"-redis", "redis://127.0.0.1:1/0", "-token", "t", "-once"}, 1, "-once"},
		{"bad max upload", []string{"-redis", "redis://127.0.0.1:1/0", "-token", "t", "-max-upload", "0"}, 1, "-max-upload"},
		{"missing seeds first", []string{"-redis", "redis://127.0.0.1:1/0", "-token", "t", "-seeds", "/nonexistent/seeds.txt"}, 2, "seeds"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(context.Background(), c.args, &out, &errb)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%s: serve %s: exit %d, stderr %q; want %d and %q", c.name, strings.Join(c.args, " "), code, errb.String(), c.code, c.want)
		}
	}
}
