#!/bin/sh
# Analyzer: generates one day of synthetic vehicle trips for DAY into WORKDIR/trips.csv.
# The same day always gives the same trips (a MINSTD generator seeded by the date), so a rerun or
# a retry reproduces its input exactly.
# Usage: analyze.sh DAY [WORKDIR] [TRIPS]   DAY: YYYY-MM-DD or "today"; TRIPS default 2000
set -eu
day="${1:-today}"
[ "$day" = today ] && day="$(date +%F)"
workdir="${2:-/tmp/nightshift-etl/$day}"
trips="${3:-2000}"
case "$day" in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) echo "analyzer: DAY must be YYYY-MM-DD, got '$day'" >&2; exit 2 ;;
esac
mkdir -p "$workdir"
tmp="$workdir/.trips.csv.$$"
awk -v day="$day" -v n="$trips" '
  function next_random() { state = (state * 48271) % 2147483647; return state }
  BEGIN {
    split("Alexanderplatz Hauptbahnhof Zoologischer-Garten Ostkreuz Suedkreuz Gesundbrunnen " \
          "Friedrichstrasse Potsdamer-Platz Warschauer-Strasse Hermannplatz Westkreuz Spandau", stops, " ")
    nstops = 12
    digits = day; gsub("-", "", digits)
    state = (digits % 2147483646) + 1
    print "trip_id,date,vehicle,departure,from_stop,to_stop"
    for (i = 1; i <= n; i++) {
      vehicle = next_random() % 40 + 1
      minute = next_random() % 1440
      from = next_random() % nstops + 1
      to = (from + next_random() % (nstops - 1)) % nstops + 1
      printf "%s-%05d,%s,bus-%02d,%02d:%02d,%s,%s\n", digits, i, day, vehicle, minute / 60, minute % 60,
             stops[from], stops[to]
    }
  }' > "$tmp"
mv "$tmp" "$workdir/trips.csv"
echo "analyzer: job ${AWS_BATCH_JOB_ID:-local} attempt ${AWS_BATCH_JOB_ATTEMPT:-1}: $trips trips for $day in $workdir/trips.csv"
