// Package tribune models articles and their comments, validates and
// sanitizes what visitors type, keeps commenters' email private, and holds
// the rules every comment goes through: the [Service] is the one path that
// changes and reads comments, and [Viewer.Sees] the one visibility rule
// every view keeps. It knows nothing of HTTP or SQL.
//
// The usual flow:
//
//	svc, err := tribune.NewService(store, tribune.WithModeration(tribune.ModerateFirst))
//	c, err := svc.Submit(ctx, tribune.Submission{Input: in, ClientAddr: ip}) // err may be a *ValidationError
//	thread, err := svc.Thread(ctx, articleID, tribune.Viewer{Own: ownIDs})
//
// Other packages are by audience: widget wraps all of this in one
// http.Handler; render turns a thread into HTML fragments and i18n holds
// the catalogues; outbox keeps mail in the store and smtpmail sends it;
// the store packages (memstore, sqlitestore, pgstore, mysqlstore) keep the
// data, and storetest is the contract a store author runs; importer moves
// comments in from WordPress, Disqus, Remark42, Isso, Commento and
// Comentario, and out as JSON or WXR (the tribune command wraps it).
//
// A [Store]'s own methods skip the rules: they are for store authors and
// the Service. A host changes comments through the Service.
//
// # Security model
//
// Every visitor field is hostile. Single-line fields (name, email,
// website) must be valid UTF-8 without control characters and within
// WordPress's byte limits; the email and website take no bidi control or
// invisible character; names follow RFC 8266 (PRECIS Nickname) and the
// Bidi Rule, with Unicode's emoji sequences allowed, are kept in NFC, and
// [WithNames] refuses the site's own names and their look-alikes
// (and a host's members'). Bidi embeddings, overrides and
// isolates are taken out of comment texts. The website must be an http or https URL and is
// normalised once, at write time, and checked again
// by every view (render.SafeWebsite). The comment text is turned into HTML
// once, at write time, by [SanitizeComment]: a narrow bluemonday policy
// (the tags WordPress allows in comments), http, https and mailto URLs
// only, every element balanced so no markup reaches past its comment, the
// policy applied again last, rel="nofollow ugc" on every link. Only
// sanitizer output is ever marked as [html/template.HTML]; everything else
// goes through html/template's contextual escaping. Templates contain no
// inline script or style, so pages work under a strict
// Content-Security-Policy.
//
// No answer depends on other people's data: [Service.Submit] recognises
// a duplicate only from the same visitor and floods only by client, both
// checked atomically with the insert, and [ModerateFirst] trusts a
// returning commenter only on proof ([Submission.Returning], or an
// address they confirmed through a mailed link, [Submission.Verified]),
// never on an email typed into the form. An author's edit goes through the
// rules again ([Service.EditOwn]).
//
// # Privacy
//
// A commenter's address is an [Email]: printing it with fmt, slog, JSON,
// text marshalling or html/template shows "[email hidden]". Only
// [Email.Address] reads it, for storage, moderation and personal-data
// export, and the outbox's mail to that address. The renderer's views have
// no email field, errors never carry what a visitor typed, no mail carries
// another commenter's address, and no link in a mail carries an address.
// [Service.Erase] erases a person's comments and forgets their address.
//
// # Languages
//
// Every visible string comes from a catalogue of package i18n (French and English
// built in); the language is a parameter of each rendering call, never a
// global.
package tribune
