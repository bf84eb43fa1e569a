package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pipec/pipec/runctl"
)

func init() { register(newResumeCmd) }

func newResumeCmd() *cobra.Command {
	var (
		cf                  clusterFlags
		indicator           string
		force, detach, wait bool
	)
	cmd := &cobra.Command{
		Use:   "resume WORKFLOW [--retry-indicator N] [--force] [--detach]",
		Short: "resume a failed or stopped run, reusing the steps that succeeded",
		Long: "Resubmits a failed or stopped workflow that pipec compiled, as docs/retries.md\n" +
			"describes: the new workflow keeps the run's effective run id (its retry_run_id,\n" +
			"else its run_id, else its UID) as retry_run_id, and retry_indicator counts on\n" +
			"(the previous one plus one, or --retry-indicator). Steps that succeeded are not\n" +
			"run again: when no step has retries and every step is memoized, they are copied\n" +
			"with their outputs (argo resubmit --memoized); otherwise the new workflow finds\n" +
			"them in the run's cache (argo resubmit). Then it follows the new run like\n" +
			"pipec run --watch (--detach returns at once, --wait only waits).\n\n" +
			"It refuses a run that is still running, one pipec did not compile, and one\n" +
			"whose cache is gone (its ConfigMap deleted or every entry past maxAge: every\n" +
			"step would run again; --force resumes anyway).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if detach && wait {
				return usageErrorf("--detach and --wait exclude each other")
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			cl, err := cf.connect(stderr, "resume")
			if err != nil {
				return err
			}
			cl.CacheNamespace, _ = cmd.Flags().GetString("cache-namespace")
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			old, err := cl.Get(ctx, args[0])
			if err != nil {
				fmt.Fprintf(stderr, "pipec resume: %v\n", err)
				return exitStatus(1)
			}
			plan, err := cl.PlanResume(ctx, old, indicator, force)
			if err != nil {
				var r *runctl.Refusal
				if errors.As(err, &r) {
					fmt.Fprintf(stderr, "pipec resume: %s\n\t%s\n", r.Reason, r.Instead)
				} else {
					fmt.Fprintf(stderr, "pipec resume: %v\n", err)
				}
				return exitStatus(1)
			}
			how := "argo resubmit"
			if plan.Memoized {
				how = "argo resubmit --memoized"
			}
			fmt.Fprintf(stderr, "pipec resume: %s as run id %s, retry_indicator %s, the way of %s: %s\n", old.Name, plan.RunID, plan.Indicator, how, plan.Why)
			for _, n := range plan.Notes {
				fmt.Fprintf(stderr, "pipec resume: note: %s\n", n)
			}
			wf, err := cl.Resume(ctx, plan)
			if err != nil {
				fmt.Fprintf(stderr, "pipec resume: %v\n", err)
				return exitStatus(1)
			}
			printSubmitted(stdout, wf)
			if detach {
				return nil
			}
			return exitStatus(follow(ctx, cl, wf.Name, cf.poll, !wait, stdout, stderr, "resume"))
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().String("cache-namespace", "", "the `NAMESPACE` of the controller's cache ConfigMaps (its own namespace; default the workflow's)")
	cmd.Flags().StringVar(&indicator, "retry-indicator", "", "the new run's retry_indicator (default: the previous one plus one; 2 after a first run)")
	cmd.Flags().BoolVar(&force, "force", false, "resume even when the run's cache is gone (every step then runs again)")
	cmd.Flags().BoolVar(&detach, "detach", false, "print the new workflow and return without following it")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for the new run without showing its steps")
	return cmd
}
