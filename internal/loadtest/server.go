package loadtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is a site process the load tool starts, kills and restarts
// itself (examples/blog built as a binary).
type Server struct {
	// Bin and Args start it; Args must make it listen on 127.0.0.1:0 and
	// print its URL, as examples/blog does.
	Bin  string
	Args []string
	// Env is added to the tool's own environment (TRIBUNE_SECRET, so
	// that forms stay valid across restarts, and the admin password).
	Env []string
	// Log receives the server's standard error (nil: discarded).
	Log io.Writer

	cmd  *exec.Cmd
	done chan struct{}
	// URL is where the running server listens.
	URL string
}

var listening = regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/`)

// Start runs the server and waits until it listens.
func (s *Server) Start() error {
	cmd := exec.Command(s.Bin, s.Args...)
	cmd.Env = append(os.Environ(), s.Env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("loadtest: starting the server: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			if s.Log != nil {
				fmt.Fprintln(s.Log, line)
			}
		}
		_ = cmd.Wait()
		close(s.done)
	}()
	select {
	case s.URL = <-found:
		return nil
	case <-s.done:
		return errors.New("loadtest: the server exited before listening")
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return errors.New("loadtest: the server did not start within 30 s")
	}
}

// PID returns the running server's process ID.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Kill ends the server at once (SIGKILL) and waits for it.
func (s *Server) Kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// Stop asks the server to stop (SIGTERM) and waits at most 20 s, then
// kills it. It returns the exit status.
func (s *Server) Stop() (int, error) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.Kill()
		return -1, errors.New("loadtest: the server did not stop within 20 s of SIGTERM")
	}
	return s.cmd.ProcessState.ExitCode(), nil
}

// RSS returns the server's resident memory in bytes, read from
// /proc/<pid>/status (Linux).
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("loadtest: no VmRSS line")
}

// Percentile returns the p-th percentile (0–100) of ds, or 0 for none.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}
