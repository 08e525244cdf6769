// Package i18n holds Tribune's catalogues: every string a visitor sees,
// in French and English (locales/*.json), with CLDR plural rules, dates
// and numbers. A host adds or overrides words with Catalog.WithMessages;
// a key a language lacks comes from English.
package i18n
