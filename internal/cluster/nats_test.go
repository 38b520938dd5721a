//go:build unix

package cluster_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/cluster"
)

// TestNATSClusterSurvivesKill9: three nodes, each this test binary re-run
// as a node (TestMain), hold a stream replicated three times; one node is
// killed with SIGKILL (its process is gone), publishing goes on through
// the other two, and the node started again catches up: every
// acknowledged message is there once, on all three.
func TestNATSClusterSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three NATS node processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	nc, err := cluster.StartNATSCluster(ctx, cluster.NATSClusterOpts{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Stop()
	conn, err := nats.Connect(nc.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	js, err := jetstream.New(conn)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "KILL9", Subjects: []string{"kill9.>"}, Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	// publish retries a message until acknowledged, under one message id
	// (as the gateway's publisher does), so a retry is never a copy.
	publish := func(k int) {
		t.Helper()
		for {
			pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
			_, err := js.Publish(pctx, "kill9.msg", []byte(fmt.Sprint(k)), jetstream.WithMsgID(fmt.Sprint("m-", k)))
			pcancel()
			if err == nil {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("message %d never acknowledged: %v", k, err)
			}
		}
	}
	for k := 0; k < 20; k++ {
		publish(k)
	}
	victim := nc.Nodes[0]
	pid := victim.PID()
	if err := victim.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("%s (pid %d) still runs after SIGKILL", victim.Name(), pid)
	}
	for k := 20; k < 40; k++ {
		publish(k)
	}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	if err := victim.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	streams, err := nc.WaitReplicated(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if streams["KILL9"] != 3 {
		t.Fatalf("after the restart the stream is on %d nodes, want 3", streams["KILL9"])
	}
	info, err := stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 40 {
		t.Fatalf("stream holds %d messages, want the 40 acknowledged, once each", info.State.Msgs)
	}
}
