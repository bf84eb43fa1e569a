package main

import (
	"strconv"
	"strings"
	"testing"
)

func TestReport(t *testing.T) {
	code, report, err := run([]string{"sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3"})
	if err != nil {
		t.Fatal(err)
	}
	if code != 3 {
		t.Errorf("exit code %d, want 3", code)
	}
	f := strings.Fields(report)
	if len(f) != 3 {
		t.Fatalf("report %q: want 3 fields", report)
	}
	wall, _ := strconv.ParseFloat(f[0], 64)
	cpu, _ := strconv.ParseFloat(f[1], 64)
	rss, _ := strconv.Atoi(f[2])
	if wall <= 0 || cpu <= 0 || rss <= 0 {
		t.Errorf("report %q: want positive wall, CPU and RSS", report)
	}
}

func TestNoSuchCommand(t *testing.T) {
	if _, _, err := run([]string{"/nonexistent/command"}); err == nil {
		t.Error("run of a missing command succeeded")
	}
}
