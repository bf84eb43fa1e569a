package cluster

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierr "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/pipec/pipec/e2e/s3"
)

// The artifact repository: the suite's S3 server, its credentials in a
// Secret, and the repository as the controller's default
// (workflow-controller-configmap's artifactRepository) and as key
// RepositoryKey of ConfigMap RepositoriesConfigMap, for workflows that
// name it (artifactRepositoryRef).
const (
	S3Secret              = "pipec-s3"
	RepositoriesConfigMap = "artifact-repositories"
	RepositoryKey         = "team-bucket"
)

// startArtifactRepository starts the S3 server and creates what refers
// to it; it returns the artifactRepository value of the controller's
// ConfigMap.
func (c *Cluster) startArtifactRepository(ctx context.Context) (string, error) {
	srv, err := s3.Start()
	if err != nil {
		return "", fmt.Errorf("s3: %w", err)
	}
	c.S3 = srv
	if _, err := c.Kube.CoreV1().Secrets(Namespace).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: S3Secret},
		StringData: map[string]string{"accesskey": "pipec-e2e", "secretkey": "pipec-e2e-secret"},
	}, metav1.CreateOptions{}); err != nil && !apierr.IsAlreadyExists(err) {
		return "", err
	}
	repo := fmt.Sprintf(`s3:
  bucket: %s
  endpoint: %s
  insecure: true
  accessKeySecret:
    name: %s
    key: accesskey
  secretKeySecret:
    name: %s
    key: secretkey
`, s3.Bucket, srv.Endpoint, S3Secret, S3Secret)
	if _, err := c.Kube.CoreV1().ConfigMaps(Namespace).Create(ctx, &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: RepositoriesConfigMap},
		Data:       map[string]string{RepositoryKey: repo},
	}, metav1.CreateOptions{}); err != nil && !apierr.IsAlreadyExists(err) {
		return "", err
	}
	return repo, nil
}
