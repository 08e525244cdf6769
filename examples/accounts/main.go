// Command accounts is a host with accounts of its own: a sign-in form,
// users in memory and a session cookie, passed to the widget with
// widget.WithIdentity. A signed-in user comments without typing a name or
// an email and is published at once; the moderator moderates from the
// article page; a visitor who is not signed in gets the ordinary form.
//
//	go run ./examples/accounts
//
// then open http://localhost:8082/. The two demo users, "claire" and
// "moderatrice", share the password it prints (or -demo-password).
package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/widget"
)

// user is one of the host's accounts.
type user struct {
	name      string
	email     string
	moderator bool
}

// site is the host: its users, its sessions, and the comments widget.
type site struct {
	password string
	users    map[string]user
	mu       sync.Mutex
	sessions map[string]string // session ID → login
	comments *widget.Handler
	article  tribune.Article
}

const sessionCookie = "accounts_session"

// identity is the widget's WithIdentity hook: the session's user, if any.
func (s *site) identity(r *http.Request) (tribune.Identity, bool) {
	login, ok := s.login(r)
	if !ok {
		return tribune.Identity{}, false
	}
	u := s.users[login]
	return tribune.Identity{UserID: login, Name: u.name, Email: u.email, Trusted: true, Moderator: u.moderator}, true
}

func (s *site) login(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	login, ok := s.sessions[c.Value]
	return login, ok
}

func (s *site) signIn(w http.ResponseWriter, r *http.Request) {
	login := r.PostFormValue("login")
	_, known := s.users[login]
	if !known || subtle.ConstantTimeCompare([]byte(r.PostFormValue("password")), []byte(s.password)) != 1 {
		http.Redirect(w, r, "/?failed=1", http.StatusSeeOther)
		return
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	s.mu.Lock()
	s.sessions[id] = login
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *site) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.sessions, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

var layout = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{.Page.Title}}</title>{{.Page.Head}}</head>
<body><header>
{{- if .Login}}<form method="post" action="/logout">Connecté : {{.Login}} <button>Se déconnecter</button></form>
{{- else}}<form method="post" action="/login" id="login"><label>Identifiant <input name="login" autocomplete="username"></label>
<label>Mot de passe <input name="password" type="password" autocomplete="current-password"></label> <button>Se connecter</button></form>
{{- if .Failed}}<p role="alert">Identifiant ou mot de passe incorrect.</p>{{end}}{{end}}
</header><main>
{{- if .Page.Article}}{{.Page.ArticleHTML}}{{.Page.Section}}{{else}}<h1>{{.Page.Title}}</h1><p role="alert">{{.Page.Message}}</p>{{.Page.Section}}{{end}}
</main></body></html>`))

// page is the widget's LayoutFunc: the host's layout around the article.
func (s *site) page(w io.Writer, r *http.Request, p widget.Layout) error {
	login, _ := s.login(r)
	return layout.Execute(w, struct {
		Page   widget.Layout
		Login  string
		Failed bool
	}{p, s.users[login].name, r.URL.Query().Get("failed") != ""})
}

func main() {
	addr := flag.String("addr", "localhost:8082", "address to listen on")
	password := flag.String("demo-password", "", "password of the demo users (random and printed when empty)")
	flood := flag.Duration("flood", 15*time.Second, "shortest time between two comments of one client (0 disables)")
	flag.Parse()
	if *password == "" {
		b := make([]byte, 9)
		_, _ = rand.Read(b)
		*password = hex.EncodeToString(b)
		fmt.Printf("demo users claire and moderatrice, password %s\n", *password)
	}
	s := &site{password: *password, sessions: map[string]string{}, users: map[string]user{
		"claire":      {name: "Claire Dubois", email: "claire@example.org"},
		"moderatrice": {name: "Inès, modératrice", email: "ines@example.org", moderator: true},
	}}

	store := memstore.New() // swap for sqlitestore.Open to keep comments
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "bienvenue", Title: "Bienvenue aux abonnés", Lang: "fr",
		Body: "<p>Connectez-vous pour commenter sans retaper votre nom ni votre adresse.</p>"})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateArticle(context.Background(), &a); err != nil {
		log.Fatal(err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	s.comments, err = widget.New(store,
		widget.WithSecret(secret),
		widget.WithLanguage("fr"),
		widget.WithIdentity(s.identity, widget.Accounts{LogIn: "/#login"}),
		widget.WithArticleURL(func(*tribune.Article) string { return "/" }),
		widget.WithLayout(s.page),
		widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off}),
		widget.WithRules(tribune.WithFloodInterval(*flood)),
	)
	if err != nil {
		log.Fatal(err)
	}
	s.article = a

	mux := http.NewServeMux()
	mux.Handle("/comments/", s.comments)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { s.comments.ServeArticle(w, r, &s.article) })
	mux.HandleFunc("POST /login", s.signIn)
	mux.HandleFunc("POST /logout", s.signOut)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on http://%s/", ln.Addr())
	// The host's own forms get Go's cross-origin protection, as the widget's do.
	log.Fatal(http.Serve(ln, http.NewCrossOriginProtection().Handler(mux)))
}
