// Command loadgen submits complaint forms (and, with -whatsapp-secret,
// signed WhatsApp webhooks) to a running tanggap instance and
// prints throughput and latency. It only targets the base URL it is given
// (a local instance), with a bounded count and duration.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"tanggap/internal/loadgen"
)

func main() {
	base := flag.String("url", "http://localhost:8080", "base URL of the instance")
	total := flag.Int("n", 5000, "complaints to submit")
	conc := flag.Int("c", 32, "parallel clients")
	maxDur := flag.Duration("max", 2*time.Minute, "stop after this long")
	waSecret := flag.String("whatsapp-secret", "", "the instance's WHATSAPP_APP_SECRET: some citizens then send a signed WhatsApp webhook")
	chat := flag.Bool("chat", false, "some citizens chat instead (start the instance with LIVECHAT_MAX_CONNS_PER_IP=0 LIVECHAT_NEW_CONNS_PER_MINUTE=0)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := loadgen.Run(ctx, loadgen.Opts{BaseURL: *base, Total: *total, Concurrency: *conc, MaxDuration: *maxDur, WhatsAppSecret: *waSecret, Chat: *chat})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(res)
	if res.FirstFail != "" {
		fmt.Println("first failure:", res.FirstFail)
	}
	if res.Failed > 0 {
		os.Exit(1)
	}
}
