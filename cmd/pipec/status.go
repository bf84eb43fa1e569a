package main

import (
	"context"
	"encoding/json"
	"fmt"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/spf13/cobra"

	"github.com/pipec/pipec/graph"
	"github.com/pipec/pipec/runctl"
	"github.com/pipec/pipec/runctl/view"
)

func init() { register(newStatusCmd) }

// statusJSON is pipec status -o json.
type statusJSON struct {
	RunID    string        `json:"runId"`
	Attempts []*runctl.Run `json:"attempts"`
}

func newStatusCmd() *cobra.Command {
	var (
		cf          clusterFlags
		runID       string
		drawGraph   bool
		output      *choice
		graphFormat *choice
		outFile     string
	)
	cmd := &cobra.Command{
		Use:   "status WORKFLOW | --run-id ID [-o text|json] [--graph]",
		Short: "show the steps of a run and of all its attempts",
		Long: "Shows a run: every workflow with its effective run id (the first submit and each\n" +
			"resume), oldest first, each with its steps' phase, attempts, cache hit or pod,\n" +
			"duration, and a failed step's exit code and message. -o json prints the same\n" +
			"for scripts. --graph draws the latest attempt's DAG instead, its steps coloured\n" +
			"by outcome (green succeeded, blue cache hit, red failed, yellow running, grey\n" +
			"skipped), as Mermaid, DOT or SVG (--format).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(args) == 1) == (runID != "") {
				return usageErrorf("give a WORKFLOW or --run-id ID (one of them)")
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			cl, err := cf.connect(stderr, "status")
			if err != nil {
				return err
			}
			ctx := context.Background()
			var named *wfv1.Workflow
			if len(args) == 1 {
				if named, err = cl.Get(ctx, args[0]); err != nil {
					fmt.Fprintf(stderr, "pipec status: %v\n", err)
					return exitStatus(1)
				}
				runID = runctl.EffectiveRunID(named)
			}
			attempts, err := cl.Attempts(ctx, runID)
			if err != nil {
				fmt.Fprintf(stderr, "pipec status: %v\n", err)
				return exitStatus(1)
			}
			if named != nil && !runctl.IsPipec(named) {
				attempts = []*wfv1.Workflow{named}
			}
			if len(attempts) == 0 {
				fmt.Fprintf(stderr, "pipec status: no workflow compiled by pipec has run id %s in namespace %s (%s)\n", runID, cl.Namespace, cl.Where)
				return exitStatus(1)
			}
			if drawGraph {
				last := attempts[len(attempts)-1]
				if named != nil {
					last = named
				}
				g, err := graph.FromWorkflow(last.Name, &last.Spec)
				if err != nil {
					fmt.Fprintf(stderr, "pipec status: %v\n", err)
					return exitStatus(1)
				}
				g.Colour(states(runctl.Summarize(last)))
				return writeGraph(cmd, g, graphFormat.value, outFile, "status")
			}
			var runs []*runctl.Run
			for _, wf := range attempts {
				runs = append(runs, runctl.Summarize(wf))
			}
			if output.value == "json" {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(statusJSON{RunID: runID, Attempts: runs})
			}
			fmt.Fprintf(stdout, "run id %s: %d attempt(s)\n", runID, len(runs))
			for _, r := range runs {
				fmt.Fprintln(stdout)
				view.Table(stdout, r)
			}
			return nil
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().StringVar(&runID, "run-id", "", "show every attempt of the run with this `ID`")
	output = &choice{value: "text", choices: []string{"text", "json"}}
	cmd.Flags().VarP(output, "output", "o", "the output's format: text or json (for scripts)")
	cmd.Flags().BoolVar(&drawGraph, "graph", false, "draw the run's DAG coloured by outcome instead of the table")
	graphFormat = addChoiceFlag(cmd, cmd.Flags(), "format", "with --graph: mermaid, dot or svg", "mermaid", "dot", "svg")
	cmd.Flags().StringVar(&outFile, "graph-output", "", "with --graph: write to `FILE` instead of standard output")
	return cmd
}

// states gathers a run's step instances per step for the graph.
func states(r *runctl.Run) map[string]*graph.State {
	out := map[string]*graph.State{}
	for _, s := range r.Steps {
		st := out[s.Task]
		if st == nil {
			st = &graph.State{}
			out[s.Task] = st
		}
		st.Instances++
		phase := s.Phase
		if s.Copied { // succeeded in the resumed run, not run again
			phase = "Succeeded"
		}
		if s.CacheHit || s.Copied {
			st.CacheHits++
		}
		if phase == "Succeeded" {
			st.Succeeded++
		}
		st.Phase = worse(st.Phase, phase)
	}
	return out
}

// worse is the phase a step shows when its iterations differ: failed over
// running over succeeded over skipped.
func worse(a, b string) string {
	rank := map[string]int{"": 0, "Omitted": 1, "Skipped": 2, "Succeeded": 3, "Pending": 4, "Running": 5, "Error": 6, "Failed": 7}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
