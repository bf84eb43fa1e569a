// Command etcd is etcd's own server entry point, built from the released
// go.etcd.io/etcd modules so the e2e suite needs no prebuilt binary.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
