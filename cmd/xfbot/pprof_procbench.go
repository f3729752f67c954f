//go:build procbench_pprof

package main

// A pprof endpoint for the processes of the throughput benchmark
// (procbench_test.go, XFBOT_PROCBENCH_PPROF): built only with
// -tags procbench_pprof, never into a release.

import (
	"fmt"
	"net/http"
	_ "net/http/pprof" // on http.DefaultServeMux, which serve does not use
	"os"
)

func init() {
	if addr := os.Getenv("XFBOT_PPROF_ADDR"); addr != "" {
		go func() { fmt.Fprintln(os.Stderr, "pprof:", http.ListenAndServe(addr, nil)) }()
	}
}
