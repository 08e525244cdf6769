// Package exampletest builds an example command and runs it on a free
// loopback port for the examples' tests and the load tests.
package exampletest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"
)

// Build compiles the package in the current directory and returns the binary.
func Build(t testing.TB) string { return BuildPackage(t, ".") }

// BuildPackage compiles the package pkg (a path such as
// "../../examples/blog") and returns the binary.
func BuildPackage(t testing.TB, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "example")
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var listening = regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/`)

// Proc is a running example.
type Proc struct {
	// URL is where it listens, as it printed it.
	URL  string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start runs bin with args (which must make it listen on 127.0.0.1:0 and
// print its URL), and returns the URL once printed. The process gets an
// interrupt when the test ends, and is killed if it does not stop.
func Start(t testing.TB, bin string, args ...string) string {
	return Run(t, bin, args...).URL
}

// Run is Start returning the process, to signal it and read its exit.
func Run(t testing.TB, bin string, args ...string) *Proc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = t.TempDir()
	out, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = os.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Proc{cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
		}
		cancel()
	})
	select {
	case p.URL = <-found:
		return p
	case <-p.done:
		t.Fatalf("the example exited before listening: %v", p.err)
	case <-time.After(30 * time.Second):
		t.Fatal("the example did not start")
	}
	return nil
}

// PID returns the process ID.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Signal sends sig to the process.
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Wait waits at most d for the process to end and returns its exit code
// (-1 for a signal), or an error if it is still running.
func (p *Proc) Wait(d time.Duration) (int, error) {
	select {
	case <-p.done:
	case <-time.After(d):
		return 0, errors.New("exampletest: still running")
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1, nil
		}
		return exit.ExitCode(), nil
	}
	return 0, p.err
}
