package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

func init() { register(newManCmd) }

// newManCmd is pipec man: man pages generated from the command definitions
// (spf13/cobra/doc), so they say what --help says.
func newManCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man [--dir DIR]",
		Short: "print pipec's man page, or write one per command",
		Long: "Prints the man page pipec(1) on standard output, or with --dir writes one\n" +
			"page per command (pipec.1, pipec-build.1, ...) into DIR, generated from the\n" +
			"same definitions as --help. The date in the pages is $SOURCE_DATE_EPOCH's,\n" +
			"if set (reproducible builds), else today's.\n\n" +
			"\tpipec man | man -l -\n" +
			"\tpipec man --dir /usr/local/share/man/man1",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			header := func() *doc.GenManHeader {
				return &doc.GenManHeader{Section: "1", Source: "pipec " + versionString(), Manual: "pipec manual"}
			}
			root := cmd.Root()
			escapeForMan(root)
			if dir == "" {
				if err := doc.GenMan(root, header(), cmd.OutOrStdout()); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "pipec man: %v\n", err)
					return exitStatus(1)
				}
				return nil
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "pipec man: %v\n", err)
				return exitStatus(1)
			}
			if err := doc.GenManTree(root, header(), dir); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "pipec man: %v\n", err)
				return exitStatus(1)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "write one page per command into `DIR` instead")
	cmd.MarkFlagDirname("dir")
	return cmd
}

// escapeForMan escapes what cobra/doc's Markdown would take for HTML (the
// <pipeline> in DIR/<pipeline>.yaml) in the tree's texts. The tree is
// pipec man's own (run builds one per run), so changing it is harmless.
func escapeForMan(c *cobra.Command) {
	esc := strings.NewReplacer("<", `\<`, ">", `\>`)
	c.Long = esc.Replace(c.Long)
	c.Short = esc.Replace(c.Short)
	for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.InheritedFlags(), c.PersistentFlags()} {
		fs.VisitAll(func(f *pflag.Flag) {
			if !strings.Contains(f.Usage, `\<`) {
				f.Usage = esc.Replace(f.Usage)
			}
		})
	}
	for _, sub := range c.Commands() {
		escapeForMan(sub)
	}
}
