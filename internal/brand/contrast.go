package brand

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// RGB is a colour in sRGB, 8 bits a channel.
type RGB struct{ R, G, B uint8 }

// Hex is the colour as #rrggbb.
func (c RGB) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// ParseColor reads "#rgb" or "#rrggbb" (case-insensitive). Named colours
// and rgb() are not accepted: a brand file states exact colours.
func ParseColor(s string) (RGB, error) {
	h := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if !strings.HasPrefix(strings.TrimSpace(s), "#") || (len(h) != 3 && len(h) != 6) {
		return RGB{}, fmt.Errorf("%q is not a colour like #0b5cad", s)
	}
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return RGB{}, fmt.Errorf("%q is not a colour like #0b5cad", s)
	}
	return RGB{R: uint8(n >> 16), G: uint8(n >> 8), B: uint8(n)}, nil
}

// channel is one sRGB channel linearized, as WCAG 2 defines it.
func channel(v uint8) float64 {
	c := float64(v) / 255
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

// Luminance is the relative luminance of c (0 black, 1 white), WCAG 2.
func Luminance(c RGB) float64 {
	return 0.2126*channel(c.R) + 0.7152*channel(c.G) + 0.0722*channel(c.B)
}

// Contrast is the WCAG 2 contrast ratio of two colours, from 1 (same
// luminance) to 21 (black on white); the order does not matter.
func Contrast(a, b RGB) float64 {
	la, lb := Luminance(a), Luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// MinTextContrast is WCAG 2 AA for normal-size text (success criterion
// 1.4.3). Every colour pair the brand sets carries text, so every pair
// is held to it.
const MinTextContrast = 4.5

// passes compares with the ratio rounded down to two decimals, as the
// message shows it, so 4.499 is refused and never shown as "4.50".
func passes(ratio float64) bool {
	return math.Floor(ratio*100)/100 >= MinTextContrast
}
