// Package progress tells a person what a long command is waiting for, so no
// wait is silent: a live line per stage on a terminal ("generating the
// credential report ... 4s"), one log line per stage otherwise (visible at
// --log-level info), nothing with --quiet.
//
// The terminal display is go-pretty's progress writer: go-pretty already
// draws iamsweep's tables, keeps its own render goroutine, repaints in
// place and handles the terminal's width, so a spinner needs no new module
// and no hand-written cursor handling.
//
// A nil *Reporter and a nil *Stage do nothing, so code deep in the pipeline
// reports through FromContext without caring whether anyone listens.
package progress

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	pretty "github.com/jedib0t/go-pretty/v6/progress"
	"golang.org/x/term"
)

// Mode is how stages are shown.
type Mode int

const (
	// Off shows nothing (--quiet).
	Off Mode = iota
	// Log writes one info line per stage through slog (stderr is not a
	// terminal: a pipe, a file, CI).
	Log
	// Terminal draws a live line per stage on stderr.
	Terminal
)

// DefaultShowAfter is how long a stage runs before a terminal shows it: a
// stage that ends sooner would only flicker.
const DefaultShowAfter = 700 * time.Millisecond

// Options configure a Reporter.
type Options struct {
	Mode   Mode
	Out    io.Writer    // the terminal, for Terminal
	Logger *slog.Logger // for Log; nil means slog.Default()
	// ShowAfter delays a stage's line on a terminal; zero means
	// DefaultShowAfter, negative means at once.
	ShowAfter time.Duration
}

// Reporter shows stages. Close it before writing results.
type Reporter struct {
	mode      Mode
	logger    *slog.Logger
	showAfter time.Duration

	pw       pretty.Writer
	rendered chan struct{}
	once     sync.Once

	mu     sync.Mutex
	active map[*Stage]bool
}

// throttleNote is added to the live lines while AWS throttles, so a slow
// stage says why it is slow.
const throttleNote = " (throttled, retrying)"

// Throttled says that a call was just throttled and will be retried: on a
// terminal every live line says so until its next update; in log mode it
// is a debug line (the SDK's retries are not a stage).
func (r *Reporter) Throttled() {
	if r == nil || r.mode == Off {
		return
	}
	if r.mode == Log {
		r.logger.Debug("throttled by AWS; retrying")
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.active {
		s.note(throttleNote)
	}
}

// ModeFor picks the mode for stderr: Off with quiet, Terminal when f is a
// terminal that can repaint a line (not TERM=dumb), else Log.
func ModeFor(f *os.File, quiet bool) Mode {
	switch {
	case quiet:
		return Off
	case f != nil && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb":
		return Terminal
	default:
		return Log
	}
}

// New starts a Reporter; on a terminal it starts the render goroutine.
func New(o Options) *Reporter {
	r := &Reporter{mode: o.Mode, logger: o.Logger, showAfter: o.ShowAfter}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	if r.showAfter == 0 {
		r.showAfter = DefaultShowAfter
	}
	if r.mode == Terminal && o.Out == nil {
		r.mode = Log
	}
	if r.mode != Terminal {
		return r
	}
	pw := pretty.NewWriter()
	pw.SetOutputWriter(o.Out)
	pw.SetAutoStop(false)
	pw.SetUpdateFrequency(100 * time.Millisecond)
	pw.SetMessageLength(60)
	pw.SetTrackerLength(8)
	pw.SetTrackerPosition(pretty.PositionRight)
	style := pretty.StyleDefault
	style.Visibility = pretty.StyleVisibility{Tracker: true, Time: true}
	style.Options.DoneString = "done"
	style.Options.ErrorString = "failed"
	style.Options.Separator = " "
	style.Options.SnipIndicator = "…"
	style.Options.TimeInProgressPrecision = time.Second
	style.Options.TimeDonePrecision = 100 * time.Millisecond
	pw.SetStyle(style)
	r.pw = pw
	r.rendered = make(chan struct{})
	go func() {
		defer close(r.rendered)
		pw.Render()
	}()
	return r
}

// Close stops the display and waits until its last frame is written, so
// output that follows is not interleaved with it. Safe to call twice.
func (r *Reporter) Close() {
	if r == nil || r.pw == nil {
		return
	}
	r.once.Do(func() {
		// A Stop that comes before the render loop has set itself up is
		// lost, so stop until the loop has returned.
		for {
			r.pw.Stop()
			select {
			case <-r.rendered:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// Stage is one wait, e.g. "generating the credential report".
type Stage struct {
	r       *Reporter
	mu      sync.Mutex
	msg     string
	tracker *pretty.Tracker
	timer   *time.Timer
	ended   bool
}

// Stage starts a stage and shows (or logs) msg.
func (r *Reporter) Stage(msg string) *Stage {
	if r == nil || r.mode == Off {
		return nil
	}
	s := &Stage{r: r, msg: msg}
	switch r.mode {
	case Log:
		r.logger.Info(msg)
	case Terminal:
		r.mu.Lock()
		if r.active == nil {
			r.active = map[*Stage]bool{}
		}
		r.active[s] = true
		r.mu.Unlock()
		s.timer = time.AfterFunc(max(r.showAfter, 0), s.show)
	}
	return s
}

// show adds the stage's line once the stage has lasted ShowAfter.
func (s *Stage) show() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.tracker = &pretty.Tracker{Message: s.msg, Total: 0}
	s.r.pw.AppendTracker(s.tracker)
}

// Set replaces the stage's line, e.g. "CloudTrail us-east-1: 3/10 users,
// throttled, retrying". In log mode it is logged at debug only: the info
// log keeps one line per stage.
func (s *Stage) Set(msg string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msg = msg
	if s.r.mode == Log {
		s.r.logger.Debug(msg)
	}
	if s.tracker != nil {
		s.tracker.UpdateMessage(msg)
	}
}

// Done ends the stage. A line that was shown is marked done; one that was
// never shown (the stage was quick) never will be.
func (s *Stage) Done() { s.end(false) }

// Fail ends the stage as failed; the error itself is the caller's to report.
func (s *Stage) Fail() { s.end(true) }

// note shows msg plus suffix until the next Set.
func (s *Stage) note(suffix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tracker != nil && !s.ended {
		s.tracker.UpdateMessage(s.msg + suffix)
	}
}

func (s *Stage) end(failed bool) {
	if s == nil {
		return
	}
	if s.r.mode == Terminal {
		s.r.mu.Lock()
		delete(s.r.active, s)
		s.r.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.tracker == nil {
		return
	}
	if failed {
		s.tracker.MarkAsErrored()
	} else {
		s.tracker.MarkAsDone()
	}
}

type ctxKey struct{}

// NewContext carries r to the code that runs stages.
func NewContext(ctx context.Context, r *Reporter) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// FromContext returns the Reporter in ctx, or nil (which shows nothing).
func FromContext(ctx context.Context) *Reporter {
	r, _ := ctx.Value(ctxKey{}).(*Reporter)
	return r
}

// Start is FromContext(ctx).Stage(msg).
func Start(ctx context.Context, msg string) *Stage { return FromContext(ctx).Stage(msg) }
