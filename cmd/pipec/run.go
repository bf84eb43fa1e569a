package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/pipec/pipec/compiler"
	"github.com/pipec/pipec/runctl"
	"github.com/pipec/pipec/runctl/view"
)

func init() { register(newRunCmd) }

// clusterFlags are the connection flags of run, resume and status, as
// kubectl and argo spell them.
type clusterFlags struct {
	cfg  runctl.Config
	poll time.Duration
}

func (c *clusterFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&c.cfg.Kubeconfig, "kubeconfig", "", "the kubeconfig `FILE` (default $KUBECONFIG, else ~/.kube/config); ARGO_SERVER and ARGO_TOKEN select an Argo Server instead, as for argo")
	fs.StringVar(&c.cfg.Context, "context", "", "the kubeconfig `CONTEXT` to use (default its current context)")
	fs.StringVarP(&c.cfg.Namespace, "namespace", "n", "", "the `NAMESPACE` (default the pipeline's, else $ARGO_NAMESPACE, else the context's, else default)")
	fs.DurationVar(&c.poll, "poll", time.Second, "how often to read the workflow while following it")
	_ = fs.MarkHidden("poll")
}

func (c *clusterFlags) connect(stderr io.Writer, name string) (*runctl.Client, error) {
	cl, err := runctl.Connect(c.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "pipec %s: %v\n", name, err)
		return nil, exitStatus(1)
	}
	return cl, nil
}

// registerCompile defines the compile flags of build that run and graph
// share: -p, --no-validate, --no-cache.
func (b *buildFlags) registerCompile(fs *pflag.FlagSet) {
	tmp := pflag.NewFlagSet("", pflag.ContinueOnError)
	b.register(tmp)
	tmp.VisitAll(func(f *pflag.Flag) {
		if f.Name != "out-dir" {
			fs.AddFlag(f)
		}
	})
}

// compileOne compiles FILE as pipec build would and returns its one
// pipeline's output (or the one named). It prints diagnostics itself.
func compileOne(cmd *cobra.Command, name, file, pipeline string, opts compiler.Options) (*compiler.Output, error) {
	stderr := cmd.ErrOrStderr()
	in, err := gatherInputs(name, []string{file}, cmd.InOrStdin(), "", stderr)
	if err != nil {
		return nil, err
	}
	res := compiler.Compile(in.src, in.files, opts)
	rep := newReporter(cmd, nil)
	if len(res.Diags) > 0 {
		rep.writeText(diagText(res))
	}
	if res.Diags.HasErrors() {
		return nil, exitStatus(1)
	}
	var names []string
	var found *compiler.Output
	for _, o := range res.Outputs {
		names = append(names, o.Pipeline.Name)
		if pipeline == "" || o.Pipeline.Name == pipeline {
			found = o
		}
	}
	switch {
	case len(res.Outputs) == 0:
		fmt.Fprintf(stderr, "pipec %s: no pipeline in %s\n\thint: a file needs a pipeline NAME { ... } block\n", name, file)
		return nil, exitStatus(1)
	case pipeline != "" && found == nil:
		fmt.Fprintf(stderr, "pipec %s: no pipeline %q in %s (it has %s)\n", name, pipeline, file, strings.Join(names, ", "))
		return nil, exitStatus(1)
	case pipeline == "" && len(res.Outputs) > 1:
		fmt.Fprintf(stderr, "pipec %s: %s has %d pipelines (%s)\n\thint: choose one with --pipeline NAME\n", name, file, len(names), strings.Join(names, ", "))
		return nil, exitStatus(1)
	}
	return found, nil
}

func newRunCmd() *cobra.Command {
	var (
		bf              buildFlags
		cf              clusterFlags
		runID, pipeline string
		wait, watch     bool
	)
	cmd := &cobra.Command{
		Use:   "run FILE.pipe [-p name=value]... [--run-id ID] [--wait|--watch]",
		Short: "compile a pipeline and submit it to Argo, optionally following the run",
		Long: "Compiles FILE.pipe exactly as pipec build does and submits the workflow to the\n" +
			"cluster of the current kubeconfig context (or --context, -n), or to the Argo\n" +
			"Server named by ARGO_SERVER (with ARGO_TOKEN), as argo submit would. It prints\n" +
			"the workflow's name and its effective run id (--run-id, else the workflow's\n" +
			"UID): pipec resume and pipec status use them.\n\n" +
			"--watch follows the run: a live table of the steps on a terminal (phase,\n" +
			"attempts, cache hit), one line per finished step otherwise. --wait only waits.\n" +
			"With either, the exit status is 0 when the run succeeded and 1 when it failed.",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: pipeFileArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if wait && watch {
				return usageErrorf("--wait and --watch exclude each other: --watch also waits")
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if err := runctl.CheckRunID(runID); err != nil {
				return usageErrorf("--run-id: %v", err)
			}
			out, err := compileOne(cmd, "run", args[0], pipeline, bf.options())
			if err != nil {
				return err
			}
			if out.Object.Workflow == nil {
				fmt.Fprintf(stderr, "pipec run: pipeline %s compiles to a %s, which is not run directly\n\thint: install it with pipec build %s | kubectl apply -f -\n", out.Pipeline.Name, out.Pipeline.Kind, args[0])
				return exitStatus(1)
			}
			cl, err := cf.connect(stderr, "run")
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if cmd.Flags().Changed("namespace") {
				out.Object.Workflow.Namespace = ""
			}
			wf, err := cl.Submit(ctx, out.Object.Workflow, runID)
			if err != nil {
				fmt.Fprintf(stderr, "pipec run: %v\n", err)
				return exitStatus(1)
			}
			printSubmitted(stdout, wf)
			if !wait && !watch {
				return nil
			}
			return exitStatus(follow(ctx, cl, wf.Name, cf.poll, watch, stdout, stderr, "run"))
		},
	}
	bf.registerCompile(cmd.Flags())
	cf.register(cmd.Flags())
	cmd.Flags().StringVar(&runID, "run-id", "", "the run's `ID` (its run_id parameter): submitting again with the same id reuses the steps that succeeded (default: the workflow's UID)")
	cmd.Flags().StringVar(&pipeline, "pipeline", "", "the pipeline `NAME` to run, when FILE has several")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the run to finish; the exit status is its outcome")
	cmd.Flags().BoolVar(&watch, "watch", false, "follow the run's steps until it finishes; the exit status is its outcome")
	return cmd
}

// printSubmitted prints a new workflow's name and effective run id.
func printSubmitted(w io.Writer, wf *wfv1.Workflow) {
	fmt.Fprintf(w, "workflow: %s\nnamespace: %s\nrun id: %s\n", wf.Name, wf.Namespace, runctl.EffectiveRunID(wf))
}

// follow follows a workflow to its end and returns the exit status: 0 when
// it succeeded. With show, it shows the steps as they go (a live table on a
// terminal, lines otherwise); it always ends with the outcome.
func follow(ctx context.Context, cl *runctl.Client, name string, poll time.Duration, show bool, stdout, stderr io.Writer, cmdName string) int {
	var f view.Follower = &view.Plain{W: stdout}
	if fd, ok := stdout.(interface{ Fd() uintptr }); ok && term.IsTerminal(int(fd.Fd())) {
		f = &view.Live{W: stdout}
	}
	last, err := cl.Follow(ctx, name, poll, func(wf *wfv1.Workflow) {
		if show {
			f.Update(runctl.Summarize(wf))
		}
	})
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "pipec %s: stopped following %s, which goes on; see it with pipec status %s\n", cmdName, name, name)
			return 130
		}
		fmt.Fprintf(stderr, "pipec %s: %v\n", cmdName, err)
		return 1
	}
	r := runctl.Summarize(last)
	if !show {
		for _, s := range r.Steps {
			if s.Phase == "Failed" || s.Phase == "Error" {
				(&view.Plain{W: stdout}).Update(&runctl.Run{Steps: []runctl.Step{s}})
			}
		}
	}
	fmt.Fprintln(stdout, view.Result(r))
	if last.Status.Phase == wfv1.WorkflowSucceeded {
		return 0
	}
	fmt.Fprintf(stderr, "pipec %s: %s %s\n\thint: see its steps with pipec status %s; resume it with pipec resume %s\n", cmdName, name, last.Status.Phase, name, name)
	return 1
}
