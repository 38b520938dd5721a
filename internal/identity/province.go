package identity

import "sort"

// IANA names of Indonesia's three time zones.
const (
	TimeZoneWIB  = "Asia/Jakarta"  // UTC+7: Sumatra, Java, West and Central Kalimantan
	TimeZoneWITA = "Asia/Makassar" // UTC+8: Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi
	TimeZoneWIT  = "Asia/Jayapura" // UTC+9: Maluku and Papua
)

// Province is one of Indonesia's 38 provinces.
type Province struct {
	// Code is the two-digit Kemendagri code, the first two digits of a NIK.
	Code string
	// Name is the official Indonesian name.
	Name string
	// TimeZone is the IANA zone the province keeps (one of TimeZoneWIB,
	// TimeZoneWITA, TimeZoneWIT).
	TimeZone string
}

// provinces lists the province codes of the Ministry of Home Affairs
// (Kemendagri), which Dukcapil uses in the NIK. Source: Kepmendagri
// No. 100.1.1-6117 Tahun 2022 (the first table with the four 2022 Papua
// provinces, created by UU 14, 15, 16 and 29 Tahun 2022), unchanged in
// Kepmendagri No. 300.2.2-2138 Tahun 2025.
//
// These are NOT the BPS statistical codes, which differ in Papua (BPS:
// 91 Papua Barat, 92 Papua Barat Daya, 94 Papua, 95 Papua Selatan,
// 96 Papua Tengah, 97 Papua Pegunungan). Kemendagri kept 91 Papua and
// 92 Papua Barat and numbered the new provinces 93-96 in order of creation.
//
// A NIK keeps the code of the region where it was issued, so a citizen from
// Merauke registered before 2022 carries 91 (Papua), not 93. Every code
// here stays valid for that reason.
//
// Time zones follow Keppres No. 41 Tahun 1987.
var provinces = []Province{
	{"11", "Aceh", TimeZoneWIB},
	{"12", "Sumatera Utara", TimeZoneWIB},
	{"13", "Sumatera Barat", TimeZoneWIB},
	{"14", "Riau", TimeZoneWIB},
	{"15", "Jambi", TimeZoneWIB},
	{"16", "Sumatera Selatan", TimeZoneWIB},
	{"17", "Bengkulu", TimeZoneWIB},
	{"18", "Lampung", TimeZoneWIB},
	{"19", "Kepulauan Bangka Belitung", TimeZoneWIB},
	{"21", "Kepulauan Riau", TimeZoneWIB},
	{"31", "DKI Jakarta", TimeZoneWIB},
	{"32", "Jawa Barat", TimeZoneWIB},
	{"33", "Jawa Tengah", TimeZoneWIB},
	{"34", "DI Yogyakarta", TimeZoneWIB},
	{"35", "Jawa Timur", TimeZoneWIB},
	{"36", "Banten", TimeZoneWIB},
	{"51", "Bali", TimeZoneWITA},
	{"52", "Nusa Tenggara Barat", TimeZoneWITA},
	{"53", "Nusa Tenggara Timur", TimeZoneWITA},
	{"61", "Kalimantan Barat", TimeZoneWIB},
	{"62", "Kalimantan Tengah", TimeZoneWIB},
	{"63", "Kalimantan Selatan", TimeZoneWITA},
	{"64", "Kalimantan Timur", TimeZoneWITA},
	{"65", "Kalimantan Utara", TimeZoneWITA},
	{"71", "Sulawesi Utara", TimeZoneWITA},
	{"72", "Sulawesi Tengah", TimeZoneWITA},
	{"73", "Sulawesi Selatan", TimeZoneWITA},
	{"74", "Sulawesi Tenggara", TimeZoneWITA},
	{"75", "Gorontalo", TimeZoneWITA},
	{"76", "Sulawesi Barat", TimeZoneWITA},
	{"81", "Maluku", TimeZoneWIT},
	{"82", "Maluku Utara", TimeZoneWIT},
	{"91", "Papua", TimeZoneWIT},
	{"92", "Papua Barat", TimeZoneWIT},
	{"93", "Papua Selatan", TimeZoneWIT},
	{"94", "Papua Tengah", TimeZoneWIT},
	{"95", "Papua Pegunungan", TimeZoneWIT},
	{"96", "Papua Barat Daya", TimeZoneWIT},
}

// provinceByCode indexes provinces; built from the table above so the two
// cannot drift apart.
var provinceByCode = func() map[string]Province {
	m := make(map[string]Province, len(provinces))
	for _, p := range provinces {
		m[p.Code] = p
	}
	return m
}()

// Provinces returns every province sorted by code. The slice is a copy the
// caller may change.
func Provinces() []Province {
	out := make([]Province, len(provinces))
	copy(out, provinces)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// ProvinceName returns the name of the province with this Kemendagri code.
func ProvinceName(code string) (string, bool) {
	p, ok := provinceByCode[code]
	return p.Name, ok
}

// ProvinceTimeZone returns the IANA time zone of the province with this
// code, or "" for an unknown code (callers choose their own default rather
// than silently getting Jakarta).
func ProvinceTimeZone(code string) string {
	return provinceByCode[code].TimeZone
}
