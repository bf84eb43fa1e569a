// Package s3 runs the e2e suite's artifact repository: a real
// S3-compatible server (github.com/johannesboyne/gofakes3, MIT, in
// memory) on 127.0.0.1, which the workflow-controller is configured with
// as its artifact repository and which the fake kubelet uploads output
// artifacts to and downloads input artifacts from, over the S3 protocol.
package s3

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Bucket is the repository's bucket.
const Bucket = "pipec-artifacts"

// Server is a running S3 server.
type Server struct {
	// Endpoint is host:port, without a scheme (plain HTTP).
	Endpoint string
	Backend  gofakes3.Backend
	srv      *http.Server
	done     chan struct{}
}

// Start starts a server on a free port of 127.0.0.1 with Bucket created.
func Start() (*Server, error) {
	backend := s3mem.New()
	if err := backend.CreateBucket(Bucket); err != nil {
		return nil, err
	}
	faker := gofakes3.New(backend, gofakes3.WithTimeSkewLimit(time.Hour))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Endpoint: l.Addr().String(), Backend: backend, srv: &http.Server{Handler: faker.Server(), ReadHeaderTimeout: 10 * time.Second}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Printf("s3: %v\n", err)
		}
	}()
	return s, nil
}

// Keys lists the keys of Bucket under prefix.
func (s *Server) Keys(prefix string) ([]string, error) {
	p := gofakes3.NewPrefix(&prefix, nil)
	list, err := s.Backend.ListBucket(Bucket, &p, gofakes3.ListBucketPage{})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, o.Key)
	}
	return keys, nil
}

// Get returns the content of the object at key.
func (s *Server) Get(key string) (string, error) {
	o, err := s.Backend.GetObject(Bucket, key, nil)
	if err != nil {
		return "", err
	}
	defer o.Contents.Close()
	b, err := io.ReadAll(o.Contents)
	return string(b), err
}

// Close stops the server.
func (s *Server) Close() {
	_ = s.srv.Close()
	<-s.done
}
