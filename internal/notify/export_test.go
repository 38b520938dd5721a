package notify

import (
	"testing"
	"time"

	"tanggap/internal/bus"
	"tanggap/internal/domain"
)

// What the external tests of this package (notify_test, which may import
// notifyhttp) use of the fixture.

// Fixture is the notifier on both backends with its provider stand-ins.
type Fixture = fixture

// NewFixture is newFixture for the external tests.
func NewFixture(t *testing.T, mutate func(*Opts)) *Fixture { return newFixture(t, mutate) }

// TestTwilioToken is the auth token of the Twilio stand-in's account.
const TestTwilioToken = testToken

func (f *fixture) Run(t *testing.T)  { f.run(t) }
func (f *fixture) Service() *Service { return f.svc }
func (f *fixture) MailCount() int    { return len(f.mail.mails()) }
func (f *fixture) SMSCount() int     { return len(f.tw.sent()) }
func (f *fixture) Deliveries(t *testing.T, ticketID int64) []Delivery {
	return f.deliveries(t, ticketID)
}

// BeforeSMSAnswer sets what the Twilio stand-in does between accepting a
// send and answering it; call it before Run.
func (f *fixture) BeforeSMSAnswer(fn func(sid, to string)) { f.tw.beforeAnswer = fn }

// CallerReplyFailed adds a voice ticket with the caller's phone and
// e-mail, and publishes that the agent's reply could not reach them.
func (f *fixture) CallerReplyFailed(t *testing.T, phone, email string) int64 {
	t.Helper()
	tid, reply := f.addTicket(t, ticketSpec{channel: "voice", phone: phone, email: email})
	f.b.Emit(bus.MessageUpdated{Scope: bus.Scope{TicketID: tid, QueueID: f.queue}, MessageID: reply, DeliveryStatus: domain.DeliveryFailed, At: time.Now()})
	return tid
}
