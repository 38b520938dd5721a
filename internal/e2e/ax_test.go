package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// axNodes is the page's whole accessibility tree, as assistive
// technology is given it.
func (tb *tab) axNodes(t *testing.T, step string) []*accessibility.Node {
	t.Helper()
	var nodes []*accessibility.Node
	tb.do(t, step, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		res, err := cdp.Call(ctx, tg, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
		if err != nil {
			return chromedp.Void{}, err
		}
		nodes = res.Nodes
		return chromedp.Void{}, nil
	})
	return nodes
}

// axText is an accessibility value as text: a value that is no string
// reads as "".
func axText(v *accessibility.Value) string {
	var s string
	if v != nil {
		_ = json.Unmarshal(v.Value, &s)
	}
	return s
}
