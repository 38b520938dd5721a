package domain

import "testing"

func TestTicketStatusHelpers(t *testing.T) {
	for _, c := range []struct {
		s               TicketStatus
		active, waiting bool
	}{
		{StatusNew, true, false},
		{StatusOpen, true, false},
		{StatusPending, true, true},
		{StatusSolved, false, false},
		{StatusClosed, false, false},
		{"", false, false},
	} {
		if c.s.Active() != c.active || c.s.Waiting() != c.waiting {
			t.Errorf("%q: Active %v Waiting %v, want %v %v", c.s, c.s.Active(), c.s.Waiting(), c.active, c.waiting)
		}
		if c.s.Known() != (c.s != "") {
			t.Errorf("%q: Known %v", c.s, c.s.Known())
		}
	}
}

func TestPriorityOrder(t *testing.T) {
	for i, p := range Priorities {
		if !p.Known() {
			t.Errorf("%s not known", p)
		}
		if got := ByUrgency[len(ByUrgency)-1-i]; got != p {
			t.Errorf("ByUrgency is not Priorities reversed at %d: %s", i, got)
		}
		if i > 0 && Priorities[i-1].Rank() <= p.Rank() {
			t.Errorf("%s should rank before %s", p, Priorities[i-1])
		}
		if i > 0 && Priorities[i-1].Escalated() != p {
			t.Errorf("%s escalates to %s, want %s", Priorities[i-1], Priorities[i-1].Escalated(), p)
		}
	}
	if PriorityUrgent.Escalated() != PriorityUrgent {
		t.Error("urgent must stay urgent")
	}
	if Priority("").Rank() != PriorityNormal.Rank() {
		t.Error("an unknown priority ranks as normal")
	}
}

func TestKinds(t *testing.T) {
	for k, own := range map[Kind]bool{KindComplaint: true, KindChat: true, KindFollowUp: false, KindVoicemail: false, "text": false} {
		if k.OwnTicket() != own {
			t.Errorf("%s: OwnTicket %v, want %v", k, k.OwnTicket(), own)
		}
	}
}

func TestPhoneRecordsAreLeftOffTheStatusPage(t *testing.T) {
	for k, record := range map[Kind]bool{
		KindCallRecord: true, KindTransfer: true, KindCallbackRequest: true, KindCallbackCall: true, KindCallRecording: true,
		KindVoicemail: false, KindVoicemailTranscription: false, KindComplaint: false, "text": false,
	} {
		if k.PhoneRecord() != record {
			t.Errorf("%s: PhoneRecord %v, want %v", k, k.PhoneRecord(), record)
		}
	}
}

func TestChannels(t *testing.T) {
	for _, c := range Channels {
		if !c.Known() {
			t.Errorf("%s not known", c)
		}
	}
	if Channel("fax").Known() {
		t.Error("fax is not a channel")
	}
}
