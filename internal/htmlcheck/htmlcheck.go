// Package htmlcheck inspects HTML that Tribune produced for anything that
// could run script: a script-capable element, an event-handler attribute,
// a style attribute or a URL with a scheme other than http, https or
// mailto. Tests across the module share it.
package htmlcheck

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// dangerous elements: any of them in output is a failure.
var dangerous = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "style": true,
	"svg": true, "math": true, "frame": true, "frameset": true, "applet": true,
	"base": true, "link": true, "meta": false, "form": false, "img": false,
	"video": true, "audio": true, "template": true, "noscript": false,
}

// urlAttrs hold URLs.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "cite": true, "action": true, "formaction": true,
	"data": true, "poster": true, "background": true, "xlink:href": true, "srcset": true,
}

// Options relax the check for whole pages, which legitimately hold the
// widget's own form, meta and link elements.
type Options struct {
	// AllowElements lists dangerous elements the page may hold.
	AllowElements []string
	// AllowRelative lets URLs without a scheme through (page links).
	AllowRelative bool
}

// Check parses s and returns the first problem found, or nil.
func Check(s string, opt Options) error {
	allowed := map[string]bool{}
	for _, e := range opt.AllowElements {
		allowed[e] = true
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return nil
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			name := strings.ToLower(tok.Data)
			if dangerous[name] && !allowed[name] {
				return fmt.Errorf("element <%s> in output", name)
			}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") {
					return fmt.Errorf("event handler %s on <%s>", k, name)
				}
				if k == "style" || k == "srcdoc" || k == "formaction" {
					return fmt.Errorf("attribute %s on <%s>", k, name)
				}
				if urlAttrs[k] {
					if err := checkURL(a.Val, opt.AllowRelative); err != nil {
						return fmt.Errorf("<%s %s>: %w", name, k, err)
					}
				}
			}
		}
	}
}

func checkURL(v string, relative bool) error {
	v = strings.TrimSpace(v)
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("unparseable URL %q", v)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "mailto":
		return nil
	case "":
		if relative {
			if strings.Contains(strings.ToLower(v), "script:") {
				return fmt.Errorf("script URL %q", v)
			}
			return nil
		}
		return fmt.Errorf("relative URL %q", v)
	}
	return fmt.Errorf("scheme %q", u.Scheme)
}

// Contained reports whether a fragment's markup stays inside the element
// it is placed in, as a browser parses it: the fragment is put in a <div>
// followed by a paragraph, and that paragraph must come out as the div's
// next sibling with its text directly inside it, not wrapped in an element
// the fragment left open (a browser's "active formatting elements").
func Contained(fragment string) error {
	doc, err := html.Parse(strings.NewReader(`<!DOCTYPE html><html><body><div id="htmlcheck-box">` + fragment +
		`</div><p id="htmlcheck-after">after</p></body></html>`))
	if err != nil {
		return err
	}
	var after *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == "htmlcheck-after" && after == nil {
				after = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	switch {
	case after == nil:
		return fmt.Errorf("the paragraph after the fragment is gone")
	case after.Parent == nil || after.Parent.Data != "body":
		return fmt.Errorf("the paragraph after the fragment ended up inside <%s>", after.Parent.Data)
	case after.PrevSibling == nil || attr(after.PrevSibling, "id") != "htmlcheck-box":
		return fmt.Errorf("markup of the fragment escaped its box")
	case after.FirstChild == nil || after.FirstChild.Type != html.TextNode || after.FirstChild.NextSibling != nil:
		return fmt.Errorf("the paragraph after the fragment is wrapped in <%s>", after.FirstChild.Data)
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
