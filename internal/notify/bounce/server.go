package bounce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"

	"tanggap/internal/mask"
)

// Notifier is what the listener needs of internal/notify.
type Notifier interface {
	// BounceRow reports whether addr is a genuine bounce address.
	BounceRow(addr string) (int64, bool)
	// ApplyBounce fails the e-mail addr names, with reason, and falls
	// back; ErrUnknown (wrapped) when it names no e-mail.
	ApplyBounce(ctx context.Context, addr, reason string) error
}

// Opts configures the listener.
type Opts struct {
	// Addr is host:port to listen on (NOTIFY_BOUNCE_SMTP_ADDR).
	Addr string
	// Domain is the host name the listener greets with.
	Domain string
	Notify Notifier
	// Unknown is the error by which Notify says "not ours" (the bounce is
	// then accepted and ignored).
	Unknown error
	Log     *slog.Logger
	// MaxBytes bounds a message (default 2 MiB: a report carries at most
	// the headers or a copy of a short notification).
	MaxBytes int64
}

// Server is the bounce listener.
type Server struct {
	o   Opts
	srv *smtp.Server
}

// New returns the listener; Run serves it.
func New(o Opts) *Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 2 << 20
	}
	o.Log = o.Log.With("component", "notify-bounce")
	s := &Server{o: o}
	srv := smtp.NewServer(backend{s})
	srv.Addr = o.Addr
	srv.Domain = o.Domain
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	srv.MaxMessageBytes = o.MaxBytes
	srv.MaxRecipients = 10
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	s.srv = srv
	return s
}

// Run listens on Opts.Addr until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return fmt.Errorf("bounce: listen %s: %w", s.o.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	done := make(chan error, 1)
	go func() { done <- s.srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("bounce: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(sctx); err != nil {
			_ = s.srv.Close()
		}
		<-done
		return nil
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s  *Server
	to []string
}

var (
	errNoSuchUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here"}
	errTryLater   = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
)

func (s *session) Reset()        { s.to = nil }
func (s *session) Logout() error { return nil }

// Mail accepts any sender: reports come from the null sender <>, and
// auto-replies from anyone.
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }

// Rcpt accepts only genuine bounce addresses.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if _, ok := s.s.o.Notify.BounceRow(to); !ok {
		return errNoSuchUser
	}
	s.to = append(s.to, to)
	return nil
}

// Data reads the report and applies its failed recipients to every
// bounce address of the transaction (one, in practice).
func (s *session) Data(r io.Reader) error {
	log := s.s.o.Log
	rcpts, err := ParseDSN(r)
	// Drain what the parser left, so the message is read to its end.
	if _, derr := io.Copy(io.Discard, r); derr != nil {
		return derr
	}
	if err != nil {
		log.Info("not a delivery failure report; ignored", "err", err)
		return nil
	}
	var failed *Recipient
	for i := range rcpts {
		if rcpts[i].Failed() {
			failed = &rcpts[i]
			break
		}
	}
	if failed == nil {
		log.Debug("report without a failed delivery; ignored", "action", rcpts[0].Action)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, to := range s.to {
		err := s.s.o.Notify.ApplyBounce(ctx, to, failed.Reason())
		switch {
		case err == nil:
			log.Info("notification e-mail bounced", "status", failed.Status, "recipient", mask.Email(failed.FinalRecipient))
		case s.s.o.Unknown != nil && errors.Is(err, s.s.o.Unknown):
			log.Info("bounce for no notification of ours; ignored")
		default:
			log.Warn("bounce not recorded; the sender will retry", "err", err)
			return errTryLater
		}
	}
	return nil
}
