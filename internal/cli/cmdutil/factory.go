package cmdutil

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/progress"
)

// IOStreams are the process's standard streams, replaceable in tests.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// StdoutTTY and StdinTTY say whether a person is at the terminal;
	// StderrTTY whether progress can be drawn there.
	StdoutTTY bool
	StdinTTY  bool
	StderrTTY bool
	// Width is the terminal's width in columns when stdout is a terminal
	// (the table fits it), else 0: a pipe or a file gets lines whole.
	Width int
	// ErrWidth is the same for stderr, where summaries and steps go when
	// stdout carries the data.
	ErrWidth int
}

// WidthFor is the width prose written to w wraps at: the terminal's when
// w is a terminal, else 0 (files and pipes get whole lines).
func (s *IOStreams) WidthFor(w io.Writer) int {
	switch {
	case w == s.Out && s.StdoutTTY:
		return s.Width
	case w == s.ErrOut && s.StderrTTY:
		return s.ErrWidth
	}
	return 0
}

// SystemIO returns the real streams.
func SystemIO() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Width:     stdoutWidth(),
		ErrWidth:  ttyWidth(os.Stderr),
	}
}

// ttyWidth is f's terminal width (COLUMNS, else 80, when it does not say),
// or 0 when f is not a terminal.
func ttyWidth(f *os.File) int {
	if !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
		return w
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return 80
}

// stdoutWidth is the terminal's width, COLUMNS when the terminal does not
// say, or 0 when stdout is not a terminal.
func stdoutWidth() int {
	if !term.IsTerminal(int(os.Stdout.Fd())) {
		return 0
	}
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
		return w
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return 80
}

// Factory gives commands their dependencies. Fields are set by the root
// command (flags) or by tests.
type Factory struct {
	IO *IOStreams
	// AWSOptions is filled from the global --profile/--region/... flags.
	AWSOptions awsx.Options
	// Now is the real clock; --as-of overrides it for judgements.
	Now    func() time.Time
	Logger *slog.Logger
	// Progress shows long waits; nil (tests, before the root's flags are
	// read) shows nothing.
	Progress *progress.Reporter
	// Parallel is the global --parallel when given, else nil.
	Parallel *int

	once   sync.Once
	aws    *awsx.Factory
	awsErr error
}

// New returns a factory wired to the real process.
func New() *Factory {
	return &Factory{IO: SystemIO(), Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
}

// AWS builds (once) the AWS client factory and checks credentials.
func (f *Factory) AWS(ctx context.Context) (*awsx.Factory, error) {
	f.once.Do(func() {
		f.aws, f.awsErr = awsx.NewFactory(ctx, f.AWSOptions)
		if f.awsErr == nil {
			f.awsErr = f.aws.CheckCredentials(ctx)
		}
	})
	return f.aws, f.awsErr
}

// BuiltAWS returns the AWS factory if a command built one, else nil; it
// never contacts AWS (an offline scan must not need credentials).
func (f *Factory) BuiltAWS() *awsx.Factory { return f.aws }

// Engine returns the pipeline for the account the global flags name, with
// settings s; AWS clients are built only when a stage needs them.
func (f *Factory) Engine(s pipeline.Settings) *pipeline.Engine {
	return &pipeline.Engine{
		Settings: s, AWS: f.AWS, Now: f.Now, Log: f.Logger, Notes: f.IO.ErrOut, Stdin: f.IO.In,
	}
}

// Settings resolves a command's settings: its flags' overrides o (with
// the global --parallel) over the --config file, over the defaults.
func (f *Factory) Settings(fl *ScanFlags, o pipeline.Overrides) (pipeline.Settings, error) {
	if o.Parallel == nil {
		o.Parallel = f.Parallel
	}
	return fl.Settings(o)
}
