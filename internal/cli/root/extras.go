package root

import (
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/progress"
)

// startProgress puts a progress Reporter in the command's context: a live
// line on stderr when it is a terminal, a log line per stage (seen at
// --log-level info) otherwise, nothing with --quiet. Standard output is
// gated so the display stops before the first byte of the result.
func startProgress(cmd *cobra.Command, f *cmdutil.Factory, quiet bool) {
	mode := progress.Log
	switch {
	case quiet:
		mode = progress.Off
	case f.IO.StderrTTY && os.Getenv("TERM") != "dumb":
		mode = progress.Terminal
	}
	r := progress.New(progress.Options{Mode: mode, Out: f.IO.ErrOut, Logger: f.Logger})
	f.Progress = r
	f.IO.Out = &stopOnWrite{w: f.IO.Out, stop: r.Close}
	cmd.SetContext(progress.NewContext(cmd.Context(), r))
}

// stopOnWrite ends the progress display before the first write of the
// result, so a live line never lands inside a table on the same terminal.
type stopOnWrite struct {
	w    io.Writer
	stop func()
	once sync.Once
}

func (s *stopOnWrite) Write(p []byte) (int, error) {
	s.once.Do(s.stop)
	return s.w.Write(p)
}

// newCmdCompletion replaces cobra's default completion command, which has
// no examples and exits 0 on an unknown shell.
func newCmdCompletion(root *cobra.Command, f *cmdutil.Factory) *cobra.Command {
	shells := []string{"bash", "zsh", "fish", "powershell"}
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script",
		Long:  "Print the completion script for a shell; load it from the shell's startup file.",
		Example: `  # bash, for this shell only
  source <(iamsweep completion bash)
  # bash, for every shell (Linux)
  iamsweep completion bash > /etc/bash_completion.d/iamsweep
  # zsh
  iamsweep completion zsh > "${fpath[1]}/_iamsweep"
  # fish
  iamsweep completion fish > ~/.config/fish/completions/iamsweep.fish
  # PowerShell
  iamsweep completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             shells,
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.FlagErrorf("name one shell: bash, zsh, fish or powershell")
			}
			for _, s := range shells {
				if args[0] == s {
					return nil
				}
			}
			return cmdutil.FlagErrorf("unknown shell %q: want bash, zsh, fish or powershell", args[0])
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := f.IO.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			default:
				return root.GenPowerShellCompletionWithDesc(out)
			}
		},
	}
}

// helpHint names the help of the command that failed, not the root's.
func helpHint(c *cobra.Command) string {
	path := "iamsweep"
	if c != nil {
		path = c.CommandPath()
	}
	return "run '" + path + " --help' for usage"
}

// debugDetail is the raw SDK error behind a message iamsweep rewrote, for
// --debug.
func debugDetail(err error) string {
	var ee *awsx.EndpointError
	if errors.As(err, &ee) {
		return ee.Detail()
	}
	return ""
}

// checkEndpoint refuses an --endpoint-url (or AWS_ENDPOINT_URL) the SDK
// would misread, before any AWS call.
func checkEndpoint(f *cmdutil.Factory) error {
	if err := awsx.CheckEndpointURL("--endpoint-url", f.AWSOptions.EndpointURL); err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	if f.AWSOptions.EndpointURL == "" {
		if err := awsx.CheckEndpointURL("AWS_ENDPOINT_URL", strings.TrimSpace(os.Getenv("AWS_ENDPOINT_URL"))); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
	}
	return nil
}
