package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"tanggap/internal/apptest"
	"tanggap/internal/testenv"
)

// TestCSATLinkOnlyForTheCitizen: agents read a ticket's ratings but never
// the citizen's survey link; the citizen who looks the solved ticket up
// on the status page gets the survey's token, rates once (a second answer
// is refused), and the next lookup carries no token. Rated without a
// comment, the survey takes one comment afterwards (not before the
// rating, not twice).
func TestCSATLinkOnlyForTheCitizen(t *testing.T) {
	cfg := apptest.Config(t)
	a := apptest.Start(t, cfg)
	admin := apptest.NewClient(t, a.URL())
	admin.Login(apptest.AdminEmail, apptest.AdminPassword)
	if r := admin.Do(http.MethodPut, "/api/v1/agents/me/presence", map[string]string{"presence": "online"}); r.Status != http.StatusOK {
		t.Fatalf("online: %d %s", r.Status, r.Body)
	}
	citizen := apptest.NewClient(t, a.URL())
	const phone = "081311113333"
	tn := citizen.Complaint(map[string]string{"name": "Rina", "phone": phone, "category": "lainnya",
		"description": "Saldo belum masuk setelah pelatihan selesai."})
	var id int64
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		var out struct {
			Tickets []struct {
				ID             int64  `json:"id"`
				TrackingNumber string `json:"tracking_number"`
				AssigneeID     *int64 `json:"assignee_id"`
			} `json:"tickets"`
		}
		admin.Do(http.MethodGet, "/api/v1/tickets?scope=all&status=all", nil).JSON(t, &out)
		for _, tk := range out.Tickets {
			if tk.TrackingNumber == tn && tk.AssigneeID != nil {
				id = tk.ID
				return nil
			}
		}
		return fmt.Errorf("ticket %s not assigned yet", tn)
	})
	apptest.FollowedUp(t, cfg, admin, id) // a complaint is solved once its follow-up is published
	if r := admin.Do(http.MethodPatch, fmt.Sprintf("/api/v1/tickets/%d", id), map[string]string{"status": "solved"}); r.Status != http.StatusOK {
		t.Fatalf("solve: %d %s", r.Status, r.Body)
	}
	lookup := "/api/v1/complaints/" + url.PathEscape(tn) + "?contact=" + url.QueryEscape(phone)
	var tok string
	testenv.CheckFor(t, 20*time.Second, 20*time.Millisecond, func() error {
		var p struct {
			Status string `json:"status"`
			CSAT   string `json:"csat"`
		}
		citizen.Do(http.MethodGet, lookup, nil).JSON(t, &p)
		if p.Status != "solved" || p.CSAT == "" {
			return fmt.Errorf("lookup: %+v", p)
		}
		tok = p.CSAT
		return nil
	})
	res := admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", id), nil)
	if res.Status != http.StatusOK || strings.Contains(string(res.Body), "survey_url") || strings.Contains(string(res.Body), tok) {
		t.Fatalf("agent's view of the ratings: %d %s", res.Status, res.Body)
	}
	survey := "/api/v1/public/csat/" + tok
	if r := citizen.Do(http.MethodPost, survey, map[string]any{"comment": "belum dinilai"}); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), `"csat_not_rated"`) {
		t.Fatalf("a comment before the rating: %d %s", r.Status, r.Body)
	}
	if r := citizen.Do(http.MethodPost, "/api/v1/public/csat/"+tok, map[string]any{"rating": 4, "from": "status_page"}); r.Status != http.StatusCreated {
		t.Fatalf("rate: %d %s", r.Status, r.Body)
	}
	if r := citizen.Do(http.MethodPost, "/api/v1/public/csat/"+tok, map[string]any{"rating": 5, "from": "status_page"}); r.Status != http.StatusConflict {
		t.Fatalf("second rating: %d %s", r.Status, r.Body)
	}
	if r := citizen.Do(http.MethodGet, lookup, nil); r.Status != http.StatusOK || strings.Contains(string(r.Body), `"csat"`) {
		t.Fatalf("lookup after the rating: %d %s", r.Status, r.Body)
	}
	// Rated without a comment: the survey takes one comment afterwards,
	// by the same endpoint without a rating.
	var open struct {
		Rated     bool `json:"rated"`
		Rating    int  `json:"rating"`
		Commented bool `json:"commented"`
	}
	citizen.Do(http.MethodGet, survey, nil).JSON(t, &open)
	if !open.Rated || open.Rating != 4 || open.Commented {
		t.Fatalf("survey after the rating: %+v", open)
	}
	if r := citizen.Do(http.MethodPost, survey, map[string]any{"comment": "   "}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"comment"`) {
		t.Fatalf("an empty comment: %d %s", r.Status, r.Body)
	}
	if r := citizen.Do(http.MethodPost, survey, map[string]any{"comment": " Petugasnya sabar menjelaskan. ", "from": "status_page"}); r.Status != http.StatusCreated {
		t.Fatalf("comment: %d %s", r.Status, r.Body)
	}
	if r := citizen.Do(http.MethodPost, survey, map[string]any{"comment": "sekali lagi"}); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), `"csat_already_commented"`) {
		t.Fatalf("second comment: %d %s", r.Status, r.Body)
	}
	citizen.Do(http.MethodGet, survey, nil).JSON(t, &open)
	if !open.Commented {
		t.Fatalf("survey after the comment: %+v", open)
	}
	var ratings struct {
		Ratings []struct {
			Rating     int    `json:"rating"`
			AnsweredBy string `json:"answered_by"`
			Comment    string `json:"comment"`
			CommentBy  string `json:"comment_by"`
		} `json:"ratings"`
	}
	admin.Do(http.MethodGet, fmt.Sprintf("/api/v1/tickets/%d/csat", id), nil).JSON(t, &ratings)
	if len(ratings.Ratings) != 1 || ratings.Ratings[0].Rating != 4 || ratings.Ratings[0].AnsweredBy != "status_page" ||
		ratings.Ratings[0].Comment != "Petugasnya sabar menjelaskan." || ratings.Ratings[0].CommentBy != "status_page" {
		t.Fatalf("ratings %+v", ratings.Ratings)
	}
}
