#!/usr/bin/env bash
# End-to-end rate of a cached comment page, from another process over
# loopback: builds examples/blog, posts 1,000 comments through its form,
# then measures page 1 of the article with wrk (apt-get install wrk)
# against a plain net/http server sending the same bytes, with 1 and 8
# connections, three times each, plain and then asked for gzip as a
# browser asks (the plain server then sends the page gzipped in
# advance). The blog runs without its request log. Each run also prints
# the rate and p99 of a permalink's redirect and of posts from as many
# visitors as connections. Without wrk installed, WRK= (empty) uses the
# load tool's own client. INSTANCES=2 DB=postgres://… starts two blogs on
# one database and spreads the load over both (the built-in client).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/blog
go build -o "$bin" ./examples/blog
page=${1:-/articles/reunion-des-ministres-de-la-defense-de-l-otan-a-bruxelles-vers-une-otan-plus}
wrk=${WRK--wrk}
instances=${INSTANCES:-1}
args="-access-log=false"
[ -n "${DB:-}" ] && args="$args -db $DB"
for enc in plain gzip; do
	gz=""
	[ "$enc" = gzip ] && gz=-gzip
	for clients in 1 8; do
		for run in 1 2 3; do
			echo "== $enc, $clients connection(s), run $run"
			go run ./cmd/tribune-load -server "$bin" -server-args "$args" -path "$page" -instances "$instances" \
				-mode rate -comments 1000 -duration 10s -clients "$clients" $wrk $gz | grep -E '^(rate: page|tribune|plain|ratio|permalink|posts)'
		done
	done
done
