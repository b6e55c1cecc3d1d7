"""`nightshift schedule preview`: fire times on stdout, errors on stderr with exit code 2.
No server needed: the verb computes locally."""
import re
import subprocess

from conftest import BINARY

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def preview(*args):
    return subprocess.run([BINARY, "schedule", "preview", *args],
                          capture_output=True, text=True, timeout=30)


def test_prints_count_lines_in_rfc3339_with_the_zones_offset():
    r = preview("*/15 * * * *", "--timezone", "Asia/Kathmandu",
                "--start", "2026-01-01T00:00:00Z", "--count", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["2026-01-01T06:00:00+05:45",
                                     "2026-01-01T06:15:00+05:45",
                                     "2026-01-01T06:30:00+05:45"]


def test_default_is_ten_fires_after_now():
    r = preview("@hourly")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 10
    assert all(RFC3339.match(line) for line in lines), lines


def test_berlin_spring_forward_shifts_and_skip_drops():
    args = ["30 2 * * *", "--timezone", "Europe/Berlin", "--start", "2026-03-28T12:00:00+01:00",
            "--count", "2"]
    assert preview(*args).stdout.splitlines() == ["2026-03-29T03:00:00+02:00",
                                                  "2026-03-30T02:30:00+02:00"]
    assert preview(*args, "--dst-gap", "skip").stdout.splitlines() == [
        "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"]


def test_fall_back_both():
    r = preview("30 2 * * *", "--timezone", "Europe/Berlin", "--start", "2026-10-25T00:00:00+02:00",
                "--count", "2", "--dst-repeat", "both")
    assert r.stdout.splitlines() == ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"]


def test_rate_is_anchored_at_start():
    r = preview("rate(90 minutes)", "--start", "2026-01-01T00:00:00Z", "--count", "2")
    assert r.stdout.splitlines() == ["2026-01-01T01:30:00+00:00", "2026-01-01T03:00:00+00:00"]


def test_bad_expression_points_at_the_column():
    r = preview("0 0 1,32 * *")
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert "day-of-month '32' at column 7: must be 1-31" in lines[0]
    assert lines[1] == "  0 0 1,32 * *"
    assert lines[2] == "        ^"


def test_bad_aws_expression_points_at_the_column():
    r = preview("cron(0 12 ? * 2#6 *)")
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert "at column 17" in lines[0]
    assert lines[2].index("^") == 2 + 16


def test_never_fires():
    r = preview("0 0 30 2 *")
    assert r.returncode == 2
    assert "never fires" in r.stderr


def test_unknown_zone():
    for zone in ("Mars/Olympus_Mons", "../etc/passwd"):
        r = preview("@daily", "--timezone", zone)
        assert r.returncode == 2
        assert f"unknown time zone '{zone}'" in r.stderr


def test_bad_start_and_policy():
    assert preview("@daily", "--start", "yesterday").returncode == 2
    assert preview("@daily", "--dst-gap", "later").returncode == 2


def test_fewer_fires_than_asked_is_not_an_error():
    r = preview("at(2030-06-01T12:00:00)", "--timezone", "Europe/Berlin",
                "--start", "2026-01-01T00:00:00Z")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["2030-06-01T12:00:00+02:00"]
    r = preview("cron(0 12 31 12 ? 2026-2027)", "--start", "2026-01-01T00:00:00Z")
    assert r.stdout.splitlines() == ["2026-12-31T12:00:00+00:00", "2027-12-31T12:00:00+00:00"]
