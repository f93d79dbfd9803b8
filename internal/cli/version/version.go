// Package version is the `iamsweep version` command.
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/buildinfo"
	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
)

// NewCmdVersion prints the version.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Example: `  iamsweep version
  # the same, as most tools spell it
  iamsweep --version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(f.IO.Out, buildinfo.String())
			return err
		},
	}
}
