package config

import "fmt"

// Tags configures ticket tags.
type Tags struct {
	// Free says who may tag a ticket with a name not on the managed list
	// (which makes it a new, free tag): "none", "supervisor" (supervisors
	// and admins) or "all".
	Free string
}

func defaultTags() Tags { return Tags{Free: "supervisor"} }

// parseTags reads TAGS_FREE into r, adding problems to p.
func parseTags(get func(string) string, r *Tags, p *Problems) {
	if v := get("TAGS_FREE"); v != "" {
		r.Free = v
	}
	switch r.Free {
	case "none", "supervisor", "all":
	default:
		*p = append(*p, fmt.Sprintf("TAGS_FREE: %q is not none, supervisor or all", r.Free))
	}
}
