package config

import "testing"

func TestTagsFree(t *testing.T) {
	for _, c := range []struct {
		name, value, want string
		ok                bool
	}{
		{"default lets supervisors create tags", "", "supervisor", true},
		{"everyone", "all", "all", true},
		{"managed list only", "none", "none", true},
		{"unknown value refused", "agents", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := parse(func(k string) string {
				if k == "TAGS_FREE" {
					return c.value
				}
				return ""
			})
			if (err == nil) != c.ok {
				t.Fatalf("TAGS_FREE=%q: err %v", c.value, err)
			}
			if c.ok && cfg.Tags.Free != c.want {
				t.Fatalf("TAGS_FREE=%q gave %q, want %q", c.value, cfg.Tags.Free, c.want)
			}
		})
	}
}
