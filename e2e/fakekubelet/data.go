package fakekubelet

// Data templates: what argoexec's `data` command does (executor.Data):
// list the files of the source artifact with Argo's own driver, apply the
// transformations with Argo's own workflow/data package, and report the
// JSON as the node's result. Only the suite's S3 server is reachable.

import (
	"context"
	"encoding/json"
	"fmt"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/data"
	corev1 "k8s.io/api/core/v1"
)

// dataLister lists an artifact location's files for data.ProcessData.
type dataLister struct {
	ctx  context.Context
	k    *Kubelet
	pod  *corev1.Pod
	list []string
}

func (d *dataLister) ProcessArtifactPaths(ap *wfv1.ArtifactPaths) (interface{}, error) {
	s := ap.S3
	if s == nil || !d.k.reachable(s) {
		return nil, fmt.Errorf("%w: %s", errUnreachable, ap.Name)
	}
	drv, err := d.k.s3Driver(d.ctx, d.pod.Namespace, s)
	if err != nil {
		return nil, err
	}
	files, err := drv.ListObjects(&ap.Artifact)
	if err != nil {
		return nil, err
	}
	d.list = files
	return files, nil
}

// runData runs a data template's pod: its result, or the executor's error.
func (k *Kubelet) runData(ctx context.Context, pod *corev1.Pod, tmpl *wfv1.Template) outcome {
	out := outcome{mode: "data"}
	res, err := data.ProcessData(tmpl.Data, &dataLister{ctx: ctx, k: k, pod: pod})
	if err == nil {
		var b []byte
		if b, err = json.Marshal(res); err == nil {
			r := string(b)
			out.outputs = &wfv1.Outputs{Result: &r}
			return out
		}
	}
	out.waitExit, out.waitMsg = executorErrorExitCode, "data: "+err.Error()
	return out
}
