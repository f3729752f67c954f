package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func TestServeRedisDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	serve := func(t *testing.T, level string) (string, error) {
		var out, errOut strings.Builder
		env := []string{"XFBOT_LARK_APP_ID=cli_test", "XFBOT_LARK_APP_SECRET=secret", "XFBOT_REDIS_ADDR=" + addr,
			"XFBOT_HTTP_ADDR=127.0.0.1:0", "XFBOT_LOG_LEVEL=" + level}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err := run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errOut, env)
		if err == nil {
			t.Fatal("serve started without Redis")
		}
		return errOut.String(), err
	}
	t.Run("OneClearLine", func(t *testing.T) {
		log, err := serve(t, "info")
		for _, want := range []string{"Redis " + addr, "无应答", "XFBOT_REDIS_ADDR", "redis.password"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
		if strings.Contains(log, "pool") || strings.Contains(log, "dial tcp") {
			t.Errorf("go-redis's own lines in the log before ours:\n%s", log)
		}
	})
	t.Run("PoolLinesAtDebug", func(t *testing.T) {
		// go-redis's lines go through our logger (not straight to the
		// process's stderr), at Debug.
		log, _ := serve(t, "debug")
		if !strings.Contains(log, "level=DEBUG") || !strings.Contains(log, "connection pool") {
			t.Errorf("go-redis's lines did not reach the log at Debug:\n%s", log)
		}
	})
}
