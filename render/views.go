package render

import (
	"html/template"
	"time"

	"github.com/tribune-go/tribune/i18n"
)

// The view types are what the templates get. A host that redefines a
// template with [WithTemplates] reads these fields; every value is typed
// for html/template's contextual escaping (template.HTML only for
// sanitizer output and for fragments the renderer built with every value
// escaped).

// ArticleView is what the "article" template gets.
type ArticleView struct {
	L *i18n.Locale
	// ID, Lang, Title, Summary and Author are the article's.
	ID, Lang, Title, Summary, Author string
	// Body is the article's HTML, passed through the article policy.
	Body template.HTML
	// ISO and Date are the publication time, as RFC 3339 and in words;
	// UpdatedISO and Updated the same for an update, or "".
	ISO, Date, UpdatedISO, Updated string
}

// SectionView is what "section-open", "thread-end" and "section-close"
// get.
type SectionView struct {
	Lang string
	// Count is the number of approved comments shown, CountText the same
	// in words ("3 commentaires").
	Count     int
	CountText string
	// HasThread is false when there is no comment to show.
	HasThread bool
	// Form is the form, for "section-close" (which runs "form").
	Form FormView
	// Pages is the navigation between comment pages ("pages"), or nil
	// when the thread fits on one.
	Pages *PagesView
}

// PagesView is what the "pages" template gets: the links between comment
// pages.
type PagesView struct {
	// Label names the navigation ("Pages de commentaires"); More labels
	// the script's button that appends the next page in place ("Plus de
	// commentaires").
	Label, More string
	// Prev and Next are the pages before and after this one (rel="prev"
	// and rel="next"), each labelled by time ("Commentaires précédents"
	// for older comments, "Commentaires suivants" for newer); nil at the
	// ends.
	Prev, Next *PageLink
	// Numbers are the page numbers to show, with gaps between runs.
	Numbers []PageLink
}

// PageLink is one link of a [PagesView].
type PageLink struct {
	Number int
	URL    string
	// Label is the link's text or, for a number, its accessible name
	// ("Page 2").
	Label string
	// Current marks this page; Gap stands for numbers left out.
	Current, Gap bool
}

// CommentView is what the "comment" template gets for each comment: the
// raw fields, for a host template that lays a comment out its own way,
// and the built-in fragments the built-in template places. The template
// opens the comment's <li>; the renderer nests replies inside it and
// closes it.
type CommentView struct {
	L *i18n.Locale
	// ID is the comment's UUID; Anchor is "comment-<ID>", Permalink
	// "#comment-<ID>".
	ID, Anchor, Permalink string
	// Author is the name to show ("Anonyme" / "Anonymous" when blank);
	// Website an http(s) address, or "".
	Author, Website string
	// Created is the posting time; ISOTime the same in RFC 3339, Date in
	// words, in the page's language and the renderer's time zone.
	Created       time.Time
	ISOTime, Date string
	// Depth is 1 for a top-level comment.
	Depth int
	// Pending is true for a comment shown to its author (or a moderator)
	// while it waits for moderation.
	Pending bool
	// Member is true for a comment a signed-in user wrote (its UserID is
	// set): Meta then shows the member mark, which nothing typed into a
	// form can produce.
	Member bool
	// ReplyURL is the no-JavaScript reply link ("?replytocom=<ID>#respond"),
	// or "" where no reply is allowed.
	ReplyURL string
	// Body is the comment's sanitized HTML.
	Body template.HTML
	// Attrs are the <li>'s id and class; Meta the author line, date and
	// pending notice; Reply the reply link; Moderate a moderator's buttons;
	// Own the author's edit and delete links.
	Attrs                      template.HTMLAttr
	Meta, Reply, Moderate, Own template.HTML
}

// NestView is what the nesting templates ("replies-open",
// "replies-close", "comment-end") get.
type NestView struct {
	// Depth is the depth of the replies a "replies-open" or
	// "replies-close" surrounds (2 for replies to a top-level comment), or
	// of the comment a "comment-end" ends.
	Depth int
}

// FormView is what the "form" template gets.
type FormView struct {
	L *i18n.Locale
	// Closed replaces the form with "comments are closed"; Kept is then
	// what the visitor had typed, given back.
	Closed bool
	Kept   string
	// Action is where the form posts; Title its heading.
	Action, Title string
	// ReplyID is the comment answered, or ""; CancelURL cancels the reply.
	ReplyID, CancelURL string
	// HasErrors and Messages are the error summary, each message linked
	// to its field (Target) when it has one.
	HasErrors bool
	Messages  []FormMessage
	// Comment is the text area; Inputs the name, email and website fields
	// (none for a signed-in visitor).
	Comment FieldView
	Inputs  []FieldView
	// Honeypot names the decoy field, or "".
	Honeypot string
	// Remember ticks the consent box.
	Remember bool
	// Notify shows the reply-notification box; NotifyOn ticks it.
	Notify, NotifyOn bool
	// Manage links the page where a commenter asks for a link to manage
	// their comments, or is "".
	Manage string
	// Hidden are the hidden fields (article, token).
	Hidden []HiddenField
	// Account is the signed-in visitor, or nil.
	Account *Account
	// LogInRequired replaces the form with "you must be logged in", linked
	// to LogInURL.
	LogInRequired bool
	LogInURL      string
}

// FormMessage is one line of the form's error summary.
type FormMessage struct{ Target, Text string }

// FieldView is one field of the form.
type FieldView struct {
	ID, Name, Label, Type, Autocomplete string
	MaxLen                              int
	Required                            bool
	// Value is what the visitor typed; Error the field's message, or "";
	// Describe the IDs of what describes it (aria-describedby).
	Value, Error, Describe string
}
