package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
	"tanggap/internal/envelope"
	"tanggap/internal/testenv"
)

// benchMessages is how many envelopes each benchmark round stores.
const benchMessages = 50000

// BenchmarkIngest measures the whole persistence path — envelope decoded,
// contact resolved, ticket threaded (or opened and routed), message stored,
// acked — on pre-published realistic web-form traffic: 70% complaints
// (most from new citizens, some with NIK and attachments), 30% follow-ups
// of earlier citizens. It runs on SQLite + embedded NATS, or PostgreSQL +
// external NATS with TEST_DATABASE_URL / TEST_NATS_URL set:
//
//	go test -run='^$' -bench=Ingest -benchtime=1x ./internal/ingest
func BenchmarkIngest(b *testing.B) {
	envs := workload(benchMessages)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b)
		for k := 0; k < 10; k++ {
			e.agent("kartu", 10)
			e.agent("umum", 10)
		}
		publishAll(b, e.b, envs)
		c := e.consumer(Opts{Log: discardLog()})
		b.StartTimer()
		start := time.Now()
		stop := e.start(c)
		waitDrained(b, e.b)
		elapsed := time.Since(start)
		b.StopTimer()
		stop()
		total += elapsed
		if n := e.count(`SELECT COUNT(*) FROM messages`); n != benchMessages {
			b.Fatalf("%d messages stored, want %d", n, benchMessages)
		}
	}
	b.ReportMetric(float64(benchMessages*b.N)/total.Seconds(), "msgs/s")
}

// workload builds n envelopes in the mix described on BenchmarkIngest.
func workload(n int) []envelope.Inbound {
	rng := rand.New(rand.NewPCG(1, 2))
	body := strings.Repeat("Saya sudah mendaftar tetapi kartu belum aktif dan saldo pelatihan belum masuk. ", 3)
	categories := []string{"kartu", "kartu", "insentif", "pelatihan", ""}
	out := make([]envelope.Inbound, 0, n)
	citizens := 0
	received := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		received = received.Add(time.Duration(rng.IntN(200)) * time.Millisecond)
		in := envelope.Inbound{
			V:                 envelope.Version,
			Channel:           domain.ChannelWebform,
			ProviderMessageID: fmt.Sprintf("bench-%d", i),
			ReceivedAt:        received,
		}
		citizen := citizens
		complaint := i%10 < 7 || citizens == 0
		if !complaint || rng.IntN(5) == 0 {
			citizen = rng.IntN(max(citizens, 1))
		}
		if citizen == citizens {
			citizens++
		}
		phone := fmt.Sprintf("+62812%08d", citizen)
		if complaint {
			in.Sender = envelope.Sender{Name: fmt.Sprintf("Warga %d", citizen), Phone: phone, Email: fmt.Sprintf("warga%d@example.id", citizen)}
			if citizen%2 == 0 {
				in.Sender.NIK = fmt.Sprintf("3201012503%02d%04d", 60+citizen%40, 1+citizen%9999)
			}
			in.Text = fmt.Sprintf("Keluhan nomor %d\n%s", i, body)
			in.Fields = map[string]string{envelope.FieldKind: string(domain.KindComplaint), envelope.FieldCategory: categories[rng.IntN(len(categories))]}
			if rng.IntN(5) == 0 {
				in.Attachments = []envelope.Attachment{{Key: fmt.Sprintf("att/%d", i), Filename: "ktp.jpg", MIME: "image/jpeg", Size: 204800}}
			}
		} else {
			in.Sender = envelope.Sender{Phone: phone}
			in.Text = "Mohon segera ditindaklanjuti, terima kasih."
			in.Fields = map[string]string{envelope.FieldKind: "follow_up"}
		}
		out = append(out, in)
	}
	return out
}

// publishAll publishes asynchronously and waits for every ack.
func publishAll(b *testing.B, bb *bus.Bus, envs []envelope.Inbound) {
	b.Helper()
	for _, in := range envs {
		data, err := jsonMarshal(in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bb.JS.PublishAsync(bb.Names.Inbound(in.Channel), data, jetstream.WithMsgID(bus.InboundMsgID(in.Channel, in.ProviderMessageID))); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-bb.JS.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		b.Fatal("publishing did not complete")
	}
}

// waitDrained polls the durable consumer until every message is acked.
func waitDrained(b *testing.B, bb *bus.Bus) {
	b.Helper()
	testenv.CheckFor(b, 10*time.Minute, 20*time.Millisecond, func() error {
		cons, err := bb.JS.Consumer(context.Background(), bb.Names.StreamInbound(), bb.Names.DurableIngest())
		if err != nil {
			return err
		}
		info, err := cons.Info(context.Background())
		if err != nil {
			return err
		}
		if info.NumPending != 0 || info.NumAckPending != 0 || info.AckFloor.Stream < benchMessages {
			return fmt.Errorf("pending %d, ack pending %d", info.NumPending, info.NumAckPending)
		}
		return nil
	})
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
