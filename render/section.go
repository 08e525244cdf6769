package render

import (
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
)

// Section is everything a comment section shows: the thread, its count and
// the form.
type Section struct {
	Article *tribune.Article
	// Comments are the comments to show, in any order: the approved ones
	// and, for the visitor who wrote them, their pending ones, which are
	// marked as awaiting moderation. Spam and trash are never shown.
	Comments []tribune.Comment
	// Lang picks the catalogue; "" means the article's language.
	Lang string
	Form Form
	// Moderation, when set, puts approve, spam and trash buttons under
	// each comment (for a signed-in moderator; render such a section for
	// them alone, never into a shared cache).
	Moderation *Moderation
	// Pages, when set, says that Comments are one page of a longer thread:
	// the count is then the whole thread's and a navigation links the
	// other pages.
	Pages *Pagination
	// NewestFirst shows top-level comments newest first (replies stay
	// oldest first under their parent).
	NewestFirst bool
	// Editable maps the visitor's own comments that they may still edit
	// to their edit page: each gets "Edit" and "Delete" links (render such
	// a section for them alone, never into a shared cache).
	Editable map[uuid.UUID]string
}

// Pagination places a section among its thread's comment pages.
type Pagination struct {
	// Current is this page's number, from 1; Total the number of pages.
	Current, Total int
	// Count is the number of approved comments of the whole thread.
	Count int
	// NewestFirst says page 1 holds the newest comments, so the pages
	// after it hold older ones; else page 1 holds the oldest.
	NewestFirst bool
	// URL returns the address of page n.
	URL func(n int) string
}

// Moderation is the form that moderation buttons on the page post to:
// each button sends one=<action>:<comment ID>, with Hidden (a token) and
// return=<ReturnURL>.
type Moderation struct {
	Action    string
	Hidden    []HiddenField
	ReturnURL string
}

// Account is a signed-in visitor, as the form shows them in place of the
// name, email and website fields.
type Account struct {
	Name string
	// ProfileURL and LogOutURL are the host's links, or "".
	ProfileURL, LogOutURL string
}

// Form is the state of the comment form.
type Form struct {
	// Action is the URL the form posts to.
	Action string
	// PageURL is the article page's URL, used for reply and cancel links;
	// "" keeps them relative to the current page.
	PageURL string
	// ReplyTo is the comment being answered, or nil.
	ReplyTo *tribune.Comment
	// Values are what the visitor typed (after a failed post) or their
	// remembered details. They are shown only in the response to that
	// visitor, never in a shared page.
	Values FormValues
	// Errors are the failing fields, shown next to each field and in a
	// summary announced to screen readers.
	Errors *tribune.ValidationError
	// Message is a form-level error already translated (a duplicate,
	// a flood); it joins the summary.
	Message string
	// Required lists the required fields; nil means [DefaultRequired], an
	// empty list none.
	Required []tribune.Field
	// Hidden fields added by the host (tokens).
	Hidden []HiddenField
	// Honeypot names a decoy text field hidden by CSS; "" leaves it out.
	Honeypot string
	// Account is the signed-in visitor, or nil for the anonymous form.
	Account *Account
	// LogInRequired replaces the form, for a visitor who is not signed
	// in, with "you must be logged in", linked to LogInURL when set.
	LogInRequired bool
	LogInURL      string
	// OfferNotify shows the unticked "notify me of replies by email" box
	// (notify_replies=yes): set it only when mail is on.
	OfferNotify bool
	// ManageURL, when set, links "Manage my comments" under the form.
	ManageURL string
}

// FormValues are the visitor's values echoed back into the form.
type FormValues struct {
	Name, Email, Website, Body string
	Remember                   bool
	// NotifyReplies ticks the reply-notification box.
	NotifyReplies bool
}

// HiddenField is a hidden input of the form.
type HiddenField struct{ Name, Value string }

func (r *Renderer) formView(f Form, l *i18n.Locale, closed bool) FormView {
	required := f.Required
	if required == nil {
		required = tribune.DefaultRequired()
	}
	v := FormView{
		L:        l,
		Closed:   closed,
		Action:   f.Action,
		Title:    l.T("form.title"),
		Honeypot: f.Honeypot,
		Remember: f.Values.Remember,
		Notify:   f.OfferNotify,
		Manage:   f.ManageURL,
		NotifyOn: f.Values.NotifyReplies,
		Hidden:   f.Hidden,
		Account:  f.Account,

		LogInRequired: f.LogInRequired && f.Account == nil,
		LogInURL:      f.LogInURL,
	}
	if closed {
		// Comments closed while the visitor was typing: give the text back.
		v.Kept = f.Values.Body
	}
	if f.ReplyTo != nil {
		v.ReplyID = f.ReplyTo.ID.String()
		v.Title = l.T("form.reply_title", "name", displayName(f.ReplyTo.AuthorName, l))
		v.CancelURL = f.PageURL + "#respond"
	}
	field := func(name tribune.Field, id, label, typ, auto string, max int, value string, describe ...string) FieldView {
		fv := FieldView{
			ID: id, Name: string(name), Label: l.T(label), Type: typ, Autocomplete: auto,
			MaxLen: max, Required: slices.Contains(required, name), Value: value,
		}
		if f.Errors != nil {
			for _, fe := range f.Errors.Fields {
				if fe.Field == name {
					fv.Error = l.FieldError(fe)
					describe = append(describe, id+"-error")
					v.Messages = append(v.Messages, FormMessage{Target: id, Text: fv.Error})
					break
				}
			}
		}
		fv.Describe = strings.Join(describe, " ")
		return fv
	}
	v.Comment = field(tribune.FieldBody, "comment", "form.comment", "", "off", tribune.MaxBodyLen, f.Values.Body)
	if f.Account == nil {
		v.Inputs = []FieldView{
			field(tribune.FieldName, "author", "form.name", "text", "name", tribune.MaxNameLen, f.Values.Name),
			field(tribune.FieldEmail, "email", "form.email", "email", "email", tribune.MaxEmailLen, f.Values.Email, "email-notes"),
			field(tribune.FieldWebsite, "url", "form.website", "url", "url", tribune.MaxWebsiteLen, f.Values.Website),
		}
	}
	if f.Errors != nil {
		// Errors on fields the form has no input for (the parent, and a
		// signed-in visitor's name, email and website) still reach the
		// summary.
		for _, fe := range f.Errors.Fields {
			switch fe.Field {
			case tribune.FieldBody:
			case tribune.FieldName, tribune.FieldEmail, tribune.FieldWebsite:
				if f.Account != nil {
					v.Messages = append(v.Messages, FormMessage{Text: l.FieldError(fe)})
				}
			default:
				v.Messages = append(v.Messages, FormMessage{Text: l.FieldError(fe)})
			}
		}
	}
	if f.Message != "" {
		v.Messages = append([]FormMessage{{Text: f.Message}}, v.Messages...)
	}
	v.HasErrors = len(v.Messages) > 0
	return v
}

func displayName(name string, l *i18n.Locale) string {
	if name == "" {
		return l.T("thread.anonymous")
	}
	return name
}

// pagesView is the navigation between comment pages, or nil for a thread
// on one page. Links are labelled by time: "older" goes to the page of
// older comments, whichever way pages are numbered; rel="prev" and
// rel="next" follow the numbers.
func pagesView(p *Pagination, l *i18n.Locale) *PagesView {
	if p == nil || p.Total <= 1 || p.URL == nil {
		return nil
	}
	v := &PagesView{Label: l.T("pages.label"), More: l.T("pages.more")}
	link := func(n int, key string) *PageLink {
		if n < 1 || n > p.Total {
			return nil
		}
		return &PageLink{Number: n, URL: p.URL(n), Label: l.T(key)}
	}
	older, newer := "pages.older", "pages.newer"
	if p.NewestFirst {
		older, newer = newer, older
	}
	v.Prev, v.Next = link(p.Current-1, older), link(p.Current+1, newer)
	// Every number near the current page and at both ends, gaps between.
	last := 0
	for n := 1; n <= p.Total; n++ {
		if n > 1 && n < p.Total && (n < p.Current-2 || n > p.Current+2) {
			continue
		}
		if last != 0 && n > last+1 {
			v.Numbers = append(v.Numbers, PageLink{Gap: true})
		}
		v.Numbers = append(v.Numbers, PageLink{Number: n, URL: p.URL(n), Current: n == p.Current,
			Label: l.T("pages.page", "n", strconv.Itoa(n))})
		last = n
	}
	return v
}
