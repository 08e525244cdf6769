// Package outbox is Tribune's mail: a Message and the Mailer that sends
// it (package smtpmail has the SMTP one), the Queue capability that keeps
// mails in the store until sent (so a crash loses none and several
// instances never send one twice), the Outbox worker that drains it, and
// the rules of who may be mailed (a confirmed subscription, a verified
// address that did not opt out).
package outbox
