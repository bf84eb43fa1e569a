// Command marshalone is the start-up floor of scripts/bench-process.sh: a
// Go program that only builds one Argo workflow (a one-step pipeline's)
// and writes it as YAML with the encoder pipec uses. pipec's start-up
// (`pipec version`, a one-step build) is measured against it.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	apiv1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/internal/yamlenc"
)

func main() {
	wf := wfv1.Workflow{
		TypeMeta:   metav1.TypeMeta{APIVersion: "argoproj.io/v1alpha1", Kind: "Workflow"},
		ObjectMeta: metav1.ObjectMeta{GenerateName: "hello-"},
		Spec: wfv1.WorkflowSpec{
			Entrypoint: "main",
			Templates: []wfv1.Template{
				{Name: "main", DAG: &wfv1.DAGTemplate{Tasks: []wfv1.DAGTask{{Name: "greet", Template: "greet"}}}},
				{Name: "greet", Container: &apiv1.Container{Image: "alpine:3.20", Command: []string{"echo", "hello"}}},
			},
		},
	}
	j, err := json.Marshal(&wf)
	if err == nil {
		j, err = yamlenc.FromJSON(nil, j, yamlenc.Options{})
	}
	if err == nil {
		_, err = os.Stdout.Write(j)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "marshalone:", err)
		os.Exit(1)
	}
}
