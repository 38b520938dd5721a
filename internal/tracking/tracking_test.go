package tracking

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

var canonicalRe = regexp.MustCompile(`^[1-9][0-9]{3}-[0-9]{4}-[0-9]{4}-[0-9]{4}$`)

// digitsOf strips the dashes of a canonical number.
func digitsOf(canonical string) string { return strings.ReplaceAll(canonical, "-", "") }

// withCheck appends the Damm check digit to a payload.
func withCheck(payload string) string { return payload + string(rune('0'+dammCheck(payload))) }

func TestDammKnownVector(t *testing.T) {
	// The worked example of the algorithm's literature: 572 → check digit 4.
	if got := dammCheck("572"); got != 4 {
		t.Fatalf("dammCheck(572) = %d, want 4", got)
	}
	if got := dammCheck("5724"); got != 0 {
		t.Fatalf("dammCheck(5724) = %d, want 0", got)
	}
}

func TestDammTableIsWeaklyTotallyAntiSymmetricQuasigroup(t *testing.T) {
	for i := 0; i < 10; i++ {
		var row, col [10]bool
		for j := 0; j < 10; j++ {
			row[dammTable[i][j]] = true
			col[dammTable[j][i]] = true
		}
		for v := 0; v < 10; v++ {
			if !row[v] || !col[v] {
				t.Fatalf("row or column %d is not a permutation of 0-9", i)
			}
		}
		if dammTable[i][i] != 0 {
			t.Fatalf("diagonal at %d is %d, want 0", i, dammTable[i][i])
		}
	}
	for c := 0; c < 10; c++ {
		for x := 0; x < 10; x++ {
			for y := 0; y < 10; y++ {
				if x != y && dammTable[dammTable[c][x]][y] == dammTable[dammTable[c][y]][x] {
					t.Fatalf("(%d*%d)*%d == (%d*%d)*%d: transposition %d%d/%d%d undetectable", c, x, y, c, y, x, x, y, y, x)
				}
			}
		}
	}
}

// mutations returns every single-digit substitution and every adjacent
// transposition (of unequal digits) of code.
func mutations(code string) []string {
	var out []string
	b := []byte(code)
	for i := range b {
		orig := b[i]
		for d := byte('0'); d <= '9'; d++ {
			if d != orig {
				b[i] = d
				out = append(out, string(b))
			}
		}
		b[i] = orig
	}
	for i := 0; i+1 < len(b); i++ {
		if b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			out = append(out, string(b))
			b[i], b[i+1] = b[i+1], b[i]
		}
	}
	return out
}

func TestDammDetectsEveryErrorExhaustively(t *testing.T) {
	// Every 4-digit payload, every single substitution and adjacent
	// transposition of the 5-digit code: 10,000 codes, ~490,000 mutants.
	var b [4]byte
	for n := 0; n < 10000; n++ {
		for i, v := 0, n; i < 4; i, v = i+1, v/10 {
			b[3-i] = byte('0' + v%10)
		}
		code := withCheck(string(b[:]))
		if dammCheck(code) != 0 {
			t.Fatalf("%s does not validate", code)
		}
		for _, m := range mutations(code) {
			if dammCheck(m) == 0 {
				t.Fatalf("error %s → %s not detected", code, m)
			}
		}
	}
}

func TestNormalizeRejectsEveryTypoOfGeneratedNumbers(t *testing.T) {
	for i := 0; i < 2000; i++ {
		code := digitsOf(Generate())
		for _, m := range mutations(code) {
			if got, err := Normalize(m); !errors.Is(err, ErrInvalid) {
				t.Fatalf("typo %s of %s accepted as %q, %v", m, code, got, err)
			}
		}
	}
}

func TestGenerateShape(t *testing.T) {
	for i := 0; i < 10000; i++ {
		g := Generate()
		if !canonicalRe.MatchString(g) {
			t.Fatalf("Generate() = %q, not XXXX-XXXX-XXXX-XXXX with a non-zero first digit", g)
		}
		if n, err := Normalize(g); err != nil || n != g {
			t.Fatalf("Normalize(%q) = %q, %v; want itself", g, n, err)
		}
	}
}

func TestGenerateDoesNotCollide(t *testing.T) {
	const n = 100_000
	seen := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		g := Generate()
		if _, dup := seen[g]; dup {
			// Chance of any collision among 100k draws from 9×10^14:
			// about n²/2/9e14 ≈ 5.6e-6. Seeing one means a broken source.
			t.Fatalf("duplicate after %d numbers: %s", i, g)
		}
		seen[g] = struct{}{}
	}
}

// chiSquare returns Pearson's statistic of counts against a uniform
// distribution over len(counts) values.
func chiSquare(counts []int) float64 {
	total := 0
	for _, c := range counts {
		total += c
	}
	want := float64(total) / float64(len(counts))
	var x2 float64
	for _, c := range counts {
		d := float64(c) - want
		x2 += d * d / want
	}
	return x2
}

// Thresholds far beyond the 1-in-a-million tail of the chi-square
// distribution (about 42.6 for 9 degrees of freedom, 40.5 for 8), so the
// test never flakes, yet any real bias over this many digits lands in the
// hundreds or thousands.
const (
	maxChi2DF9 = 60.0
	maxChi2DF8 = 58.0
)

func TestChiSquareDetectsBias(t *testing.T) {
	// The helper must be able to fail: a distribution 10% heavy on one
	// digit over 200k samples is caught by a wide margin.
	counts := make([]int, 10)
	for i := range counts {
		counts[i] = 20000
	}
	counts[7] += 2000
	counts[3] -= 2000
	if x2 := chiSquare(counts); x2 <= maxChi2DF9 {
		t.Fatalf("chi-square %f of a biased sample is within the threshold", x2)
	}
	// And a fair (pseudo-random, seeded) sample passes.
	r := rand.New(rand.NewPCG(1, 2))
	counts = make([]int, 10)
	for i := 0; i < 200_000; i++ {
		counts[r.IntN(10)]++
	}
	if x2 := chiSquare(counts); x2 > maxChi2DF9 {
		t.Fatalf("chi-square %f of a fair sample exceeds the threshold", x2)
	}
}

func TestDigitDistributionIsUniform(t *testing.T) {
	// 14,300 numbers give 200,200 digits from the 14 fully random positions.
	const numbers = 14_300
	middle := make([]int, 10) // positions 2-15: uniform over 0-9
	first := make([]int, 10)  // position 1: uniform over 1-9
	check := make([]int, 10)  // Damm digit of uniform payloads: uniform too
	for i := 0; i < numbers; i++ {
		d := digitsOf(Generate())
		first[d[0]-'0']++
		for _, c := range []byte(d[1:15]) {
			middle[c-'0']++
		}
		check[d[15]-'0']++
	}
	if first[0] != 0 {
		t.Fatalf("%d numbers start with 0", first[0])
	}
	if x2 := chiSquare(middle); x2 > maxChi2DF9 {
		t.Errorf("random digits: chi-square %.1f > %.0f, counts %v", x2, maxChi2DF9, middle)
	}
	if x2 := chiSquare(first[1:]); x2 > maxChi2DF8 {
		t.Errorf("first digit: chi-square %.1f > %.0f, counts %v", x2, maxChi2DF8, first)
	}
	if x2 := chiSquare(check); x2 > maxChi2DF9 {
		t.Errorf("check digit: chi-square %.1f > %.0f, counts %v", x2, maxChi2DF9, check)
	}
}

func TestNormalize(t *testing.T) {
	valid := withCheck("482109375512084")
	canonical := valid[0:4] + "-" + valid[4:8] + "-" + valid[8:12] + "-" + valid[12:16]
	badCheck := valid[:15] + string(rune('0'+(valid[15]-'0'+1)%10))
	tests := []struct {
		name string
		in   string
		want string // "" means ErrInvalid
	}{
		{"canonical", canonical, canonical},
		{"digits only as typed on a keypad", valid, canonical},
		{"spaces between groups", strings.ReplaceAll(canonical, "-", " "), canonical},
		{"surrounding spaces", "  " + canonical + "\t", canonical},
		{"separators in odd places", valid[:3] + "-" + valid[3:9] + "  " + valid[9:], canonical},

		{"empty", "", ""},
		{"only separators", "- - -", ""},
		{"wrong check digit", badCheck, ""},
		{"15 digits", valid[:15], ""},
		{"17 digits", valid + "0", ""},
		{"leading zero", withCheck("082109375512084"), ""},
		{"letter", valid[:15] + "O", ""},
		{"dot separator", strings.ReplaceAll(canonical, "-", "."), ""},
		{"full-width digits", "４８２１", ""},
		{"oversized", strings.Repeat(" ", 60) + valid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if tc.want == "" {
				if !errors.Is(err, ErrInvalid) || got != "" {
					t.Fatalf("Normalize(%q) = %q, %v; want ErrInvalid", tc.in, got, err)
				}
				if strings.Contains(err.Error(), valid[:8]) {
					t.Errorf("error %q echoes the input", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestPackageDocExampleIsValid(t *testing.T) {
	// The example in the package comment should be a number a reader can
	// paste into Normalize.
	const example = "4821-0937-5512-0843"
	if got, err := Normalize(example); err != nil || got != example {
		t.Fatalf("Normalize(%q) = %q, %v", example, got, err)
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add(Generate())
	f.Add(digitsOf(Generate()))
	for _, s := range []string{"", "-", "0000-0000-0000-0000", "1234 5678 9012 3456", "4821-0937-5512-0843", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Normalize(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || out != "" {
				t.Fatalf("%q: got %q, %v", in, out, err)
			}
			return
		}
		if !canonicalRe.MatchString(out) {
			t.Fatalf("%q → %q: not canonical", in, out)
		}
		if again, err := Normalize(out); err != nil || again != out {
			t.Fatalf("%q → %q → %q, %v", in, out, again, err)
		}
		kept := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, in)
		if kept != digitsOf(out) {
			t.Fatalf("%q → %q: digits changed", in, out)
		}
		if dammCheck(digitsOf(out)) != 0 {
			t.Fatalf("%q → %q: check digit invalid", in, out)
		}
	})
}

func TestFromDigestIsStableAndValid(t *testing.T) {
	a := FromDigest([]byte("0123456789abcdef"))
	if b := FromDigest([]byte("0123456789abcdef")); a != b {
		t.Fatalf("%s then %s from one digest", a, b)
	}
	if c := FromDigest([]byte("0123456789abcdeX")[8:]); c == a {
		t.Fatal("two digests, one number")
	}
	for _, d := range [][]byte{[]byte("0123456789abcdef"), {0, 0, 0, 0, 0, 0, 0, 0}, {255, 255, 255, 255, 255, 255, 255, 255}} {
		n := FromDigest(d)
		if got, err := Normalize(n); err != nil || got != n {
			t.Fatalf("%s does not validate: %v", n, err)
		}
	}
}
