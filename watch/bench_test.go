package watch

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSaveToYAML measures the latency from saving a source to the new
// YAML being on disk, through the real file-system notifications, the
// debounce delay, the compilation and the atomic write: each iteration
// writes the file and waits for the output to change. With the default
// delay, the delay is most of the figure; with 1ms, the rest shows.
func BenchmarkSaveToYAML(b *testing.B) {
	b.Run("delay=default", func(b *testing.B) { benchSave(b, 0) })
	b.Run("delay=1ms", func(b *testing.B) { benchSave(b, time.Millisecond) })
}

func benchSave(b *testing.B, delay time.Duration) {
	dir := b.TempDir()
	src := filepath.Join(dir, "hello.pipe")
	out := filepath.Join(dir, "out", "hello.yaml")
	save := func(i int) string {
		msg := fmt.Sprintf("message-%d", i)
		text := fmt.Sprintf("pipeline hello {\n  image \"alpine:3.20\"\n  step say { run [\"echo\", %q] }\n}\n", msg)
		// Saved as editors do: a temporary file renamed over the source.
		if err := os.WriteFile(src+".tmp", []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(src+".tmp", src); err != nil {
			b.Fatal(err)
		}
		return msg
	}
	waitFor := func(msg string) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			if data, err := os.ReadFile(out); err == nil && bytes.Contains(data, []byte(msg)) {
				return
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s never got %s", out, msg)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}

	msg := save(-1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{Inputs: []string{dir}, OutDir: filepath.Join(dir, "out"), Delay: delay})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}()
	waitFor(msg)

	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		waitFor(save(i))
	}
}
