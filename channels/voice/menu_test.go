package voice

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSampleMenuIsValid(t *testing.T) {
	m, err := LoadMenu("")
	if err != nil {
		t.Fatal(err)
	}
	if m.Language != "id-ID" || m.Menus[m.Start] == nil || m.Queues.Callback == "" || m.Transfer.Enqueue == "" {
		t.Fatalf("sample menu: %+v", m)
	}
	for _, name := range promptNames {
		if m.Prompts[name].empty() {
			t.Errorf("prompt %s empty", name)
		}
	}
}

func TestMenuFileAcceptsJSONAndPlay(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "menu.json")
	prompts := `"welcome":{"play":"https://cdn.example.id/selamat.mp3"}`
	for _, n := range promptNames[1:] {
		prompts += `,"` + n + `":"teks"`
	}
	doc := `{"queues":{"agent":"umum","callback":"cb"},"transfer":{"dial":"sip:agen@pbx.example.id"},
		"prompts":{` + prompts + `},
		"menus":{"main":{"prompt":"Tekan 1","options":{"1":{"action":"voicemail"}}}}}`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := LoadMenu(path)
	if err != nil {
		t.Fatal(err)
	}
	if m.Prompts["welcome"].Play == "" || m.Transfer.Dial != "sip:agen@pbx.example.id" || m.Gather.Retries != 2 {
		t.Fatalf("menu: %+v", m)
	}
}

func TestMenuProblemsAreListedTogether(t *testing.T) {
	doc := strings.NewReplacer(
		`"1": {action: status}`, `"1": {action: dance}`,
		`"2": {menu: info}`, `"2": {menu: nowhere}`,
		`"*": {menu: main}`, `"0": {menu: main}`,
		`enqueue: antrean-umum`, `dial: "0812"`,
		`callback: callback`, `callback: "Call Back"`,
	).Replace(string(DefaultMenu))
	_, err := ParseMenu([]byte(doc))
	if !errors.Is(err, ErrMenu) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{`unknown action "dance"`, `menu "nowhere" does not exist`, "reserved", "transfer.dial", "queues.callback"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems do not mention %q:\n%v", want, err)
		}
	}
}

func TestMenuRefusesUnknownKeysAndMissingPrompts(t *testing.T) {
	for name, doc := range map[string]string{
		"typo in a key":  strings.Replace(string(DefaultMenu), "max_length:", "max_lenght:", 1),
		"missing prompt": strings.Replace(string(DefaultMenu), "  goodbye:", "  # goodbye:", 1),
		"not yaml":       "menus: [",
		"missing file":   "",
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if doc == "" {
				_, err = LoadMenu(filepath.Join(t.TempDir(), "none.yaml"))
			} else {
				_, err = ParseMenu([]byte(doc))
			}
			if !errors.Is(err, ErrMenu) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
