package identity

import (
	"sort"
	"testing"
	"time"
	_ "time/tzdata" // the zones must load even where the OS has no tzdata
)

func TestProvincesTable(t *testing.T) {
	ps := Provinces()
	if len(ps) != 38 {
		t.Fatalf("got %d provinces, want 38", len(ps))
	}
	if !sort.SliceIsSorted(ps, func(i, j int) bool { return ps[i].Code < ps[j].Code }) {
		t.Fatal("Provinces() is not sorted by code")
	}
	seenCode := map[string]bool{}
	seenName := map[string]bool{}
	for _, p := range ps {
		if len(p.Code) != 2 || p.Code[0] < '1' || p.Code[0] > '9' || p.Code[1] < '0' || p.Code[1] > '9' {
			t.Errorf("province %+v: code is not two digits", p)
		}
		if seenCode[p.Code] || seenName[p.Name] {
			t.Errorf("province %+v: duplicate code or name", p)
		}
		seenCode[p.Code], seenName[p.Name] = true, true
		if p.Name == "" {
			t.Errorf("province %s has no name", p.Code)
		}
		if _, err := time.LoadLocation(p.TimeZone); err != nil || p.TimeZone == "" {
			t.Errorf("province %s: time zone %q does not load: %v", p.Code, p.TimeZone, err)
		}
		if name, ok := ProvinceName(p.Code); !ok || name != p.Name {
			t.Errorf("ProvinceName(%q) = %q, %v; want %q", p.Code, name, ok, p.Name)
		}
		if tz := ProvinceTimeZone(p.Code); tz != p.TimeZone {
			t.Errorf("ProvinceTimeZone(%q) = %q, want %q", p.Code, tz, p.TimeZone)
		}
	}
}

func TestProvinceLookups(t *testing.T) {
	tests := []struct {
		name, code, wantName, wantTZ string
	}{
		{"Aceh, westernmost", "11", "Aceh", TimeZoneWIB},
		{"Jakarta", "31", "DKI Jakarta", TimeZoneWIB},
		{"Central Kalimantan keeps WIB", "62", "Kalimantan Tengah", TimeZoneWIB},
		{"South Kalimantan is WITA", "63", "Kalimantan Selatan", TimeZoneWITA},
		{"Bali", "51", "Bali", TimeZoneWITA},
		{"Gorontalo", "75", "Gorontalo", TimeZoneWITA},
		{"Maluku Utara", "82", "Maluku Utara", TimeZoneWIT},
		{"Kemendagri 91 is Papua (BPS uses 94)", "91", "Papua", TimeZoneWIT},
		{"Kemendagri 92 is Papua Barat (BPS uses 91)", "92", "Papua Barat", TimeZoneWIT},
		{"Papua Selatan", "93", "Papua Selatan", TimeZoneWIT},
		{"Papua Tengah", "94", "Papua Tengah", TimeZoneWIT},
		{"Papua Pegunungan", "95", "Papua Pegunungan", TimeZoneWIT},
		{"Papua Barat Daya, the 38th", "96", "Papua Barat Daya", TimeZoneWIT},
		{"unknown code", "97", "", ""},
		{"empty code", "", "", ""},
		{"one digit", "3", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name, ok := ProvinceName(tc.code)
			if name != tc.wantName || ok != (tc.wantName != "") {
				t.Errorf("ProvinceName(%q) = %q, %v; want %q", tc.code, name, ok, tc.wantName)
			}
			if tz := ProvinceTimeZone(tc.code); tz != tc.wantTZ {
				t.Errorf("ProvinceTimeZone(%q) = %q, want %q", tc.code, tz, tc.wantTZ)
			}
		})
	}
}

func TestProvincesReturnsACopy(t *testing.T) {
	ps := Provinces()
	ps[0].Name = "changed"
	if name, _ := ProvinceName(ps[0].Code); name == "changed" {
		t.Fatal("changing the result of Provinces() changed the package table")
	}
	if Provinces()[0].Name == "changed" {
		t.Fatal("changing the result of Provinces() changed the next result")
	}
}

func TestTimeZoneOffsets(t *testing.T) {
	// WIB/WITA/WIT are UTC+7/+8/+9 with no daylight saving.
	for tz, want := range map[string]int{TimeZoneWIB: 7, TimeZoneWITA: 8, TimeZoneWIT: 9} {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []time.Month{time.January, time.July} {
			_, off := time.Date(2025, m, 1, 0, 0, 0, 0, loc).Zone()
			if off != want*3600 {
				t.Errorf("%s in %v: offset %ds, want %dh", tz, m, off, want)
			}
		}
	}
}
