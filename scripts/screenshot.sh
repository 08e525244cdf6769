#!/usr/bin/env bash
# Refreshes docs/screenshot.png: runs examples/blog on a throw-away
# database, posts three comments through the real form (one a reply), and
# has headless Chromium photograph the seed article's page.
# Needs: go, curl, chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=${TRIBUNE_TEST_CHROMIUM:-$(command -v chromium || command -v chromium-browser)}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/blog" ./examples/blog
port=18080
"$work/blog" -addr "127.0.0.1:$port" -db "$work/blog.db" -moderation none -min-submit-delay 0 -flood 0 \
	-admin-password screenshot >"$work/log" 2>&1 &
pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 50); do curl -sf "$base/" >/dev/null && break; sleep 0.2; done

slug=reunion-des-ministres-de-la-defense-de-l-otan-a-bruxelles-vers-une-otan-plus
page="$base/articles/$slug"

# post NAME EMAIL TEXT [PARENT]: fills the form as a browser would.
post() {
	local html token article
	html=$(curl -sf -c "$work/jar" -b "$work/jar" "$page")
	token=$(grep -o 'name="tribune_token" value="[^"]*"' <<<"$html" | sed 's/.*value="//; s/"$//')
	article=$(grep -o 'name="article" value="[^"]*"' <<<"$html" | sed 's/.*value="//; s/"$//')
	curl -sf -o /dev/null -c "$work/jar" -b "$work/jar" -H "Origin: $base" "$base/comments/post" \
		--data-urlencode "article=$article" --data-urlencode "tribune_token=$token" \
		--data-urlencode "author=$1" --data-urlencode "email=$2" --data-urlencode "comment=$3" \
		--data-urlencode "comment_parent=${4:-}" -w '%{redirect_url}\n'
}

first=$(post "Claire Dubois" "claire@example.org" "Synthèse claire, merci. L’article 5 reste la clé de voûte : sans l’engagement américain, la dissuasion européenne n’a pas encore de quoi tenir seule.")
first_id=${first##*#comment-}
post "Marc Lefèvre" "marc@example.org" "D’accord sur le constat, mais l’initiative arctique montre que les Européens savent aussi prendre la main." "$first_id" >/dev/null
post "Sofia" "sofia@example.org" "Et le financement ? Les 2 % ne suffiront pas au rythme actuel." >/dev/null

"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/profile" --hide-scrollbars --window-size=1000,2950 \
	--screenshot="$PWD/docs/screenshot.png" "$page" 2>/dev/null
echo "docs/screenshot.png refreshed"
