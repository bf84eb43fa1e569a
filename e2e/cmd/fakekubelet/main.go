// Command fakekubelet completes Argo workflow pods on a node-less e2e
// cluster; see package fakekubelet.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"syscall"

	wfclientset "github.com/argoproj/argo-workflows/v3/pkg/client/clientset/versioned"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/pipec/pipec/e2e/fakekubelet"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig file")
	namespace := flag.String("namespace", "argo", "namespace whose pods are completed")
	workDir := flag.String("workdir", os.TempDir(), "directory for the pods' private directories")
	execMode := flag.String("exec", "auto", "auto: run commands that exist here; never: simulate every pod")
	workers := flag.Int("workers", 4, "pods handled at once")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		log.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	kube := kubernetes.NewForConfigOrDie(cfg)
	wf := wfclientset.NewForConfigOrDie(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	k := fakekubelet.New(kube, wf, fakekubelet.Config{Namespace: *namespace, WorkDir: *workDir, Exec: *execMode, Workers: *workers})
	if err := k.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
