package fakekubelet

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

// TestRunAgentTask: the agent's HTTP task gives the phase, message and
// result that argoexec agent gives, for the default and explicit success
// conditions, a header from a secret, a body, and a request error.
func TestRunAgentTask(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/teapot" {
			w.WriteHeader(http.StatusTeapot)
		}
		b := new(strings.Builder)
		_, _ = fmt.Fprintf(b, "%s %s auth=%s body=", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		buf := make([]byte, 64)
		n, _ := r.Body.Read(buf)
		b.Write(buf[:n])
		_, _ = w.Write([]byte(b.String()))
	}))
	defer srv.Close()
	kube := fake.NewSimpleClientset(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "tok", Namespace: "argo"},
		Data:       map[string][]byte{"t": []byte("s3cret")},
	})
	k := New(kube, nil, Config{Namespace: "argo"})
	secretHeader := wfv1.HTTPHeader{Name: "Authorization", ValueFrom: &wfv1.HTTPHeaderSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "tok"}, Key: "t"},
	}}
	for _, tc := range []struct {
		name   string
		h      wfv1.HTTP
		phase  wfv1.NodePhase
		msg    string
		result string
	}{
		{"default 2xx", wfv1.HTTP{Method: "GET", URL: srv.URL + "/ok"}, wfv1.NodeSucceeded, "", "GET /ok auth= body="},
		{"default non-2xx", wfv1.HTTP{Method: "GET", URL: srv.URL + "/teapot"}, wfv1.NodeFailed, "received non-2xx response code: 418", "GET /teapot auth= body="},
		{"condition true", wfv1.HTTP{Method: "POST", URL: srv.URL + "/teapot", Body: "hi", Headers: wfv1.HTTPHeaders{secretHeader},
			SuccessCondition: `response.statusCode == 418 && request.method == "POST"`}, wfv1.NodeSucceeded, "", "POST /teapot auth=s3cret body=hi"},
		{"condition false", wfv1.HTTP{Method: "GET", URL: srv.URL + "/ok", SuccessCondition: `response.body contains "nope"`},
			wfv1.NodeFailed, `successCondition 'response.body contains "nope"' evaluated false`, "GET /ok auth= body="},
		{"missing secret", wfv1.HTTP{Method: "GET", URL: srv.URL, Headers: wfv1.HTTPHeaders{{Name: "X", ValueFrom: &wfv1.HTTPHeaderSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "tok"}, Key: "nokey"}}}}},
			wfv1.NodeFailed, "secret 'tok' does not have the key 'nokey'", ""},
		{"not http", wfv1.HTTP{}, wfv1.NodeFailed, "agent cannot execute: unknown task type: Unknown", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := wfv1.Template{HTTP: &tc.h}
			if tc.name == "not http" {
				tmpl.HTTP = nil
			}
			res := k.runAgentTask(context.Background(), "argo", tmpl)
			if res.Phase != tc.phase || res.Message != tc.msg {
				t.Errorf("got %s %q, want %s %q", res.Phase, res.Message, tc.phase, tc.msg)
			}
			got := ""
			if res.Outputs != nil && res.Outputs.Result != nil {
				got = *res.Outputs.Result
			}
			if got != tc.result {
				t.Errorf("result %q, want %q", got, tc.result)
			}
		})
	}
}
