#!/usr/bin/env python3
"""Drives a Kairos server with python-caldav, a real CalDAV client.

Usage: caldav_client.py URL USER PASSWORD
       (or KAIROS_DAV_URL, KAIROS_DAV_USER, KAIROS_DAV_PASSWORD in the environment)

Walks what a client does on first contact and in daily use: principal and calendar
discovery, creating an event, a time-range query, a multiget, two rounds of
sync-collection (a change, then a removal), deleting, and making and deleting a calendar.
Prints one line per step; on a mismatch prints `FAIL: <step>: <what>` and exits 1.
Run by tests/it/peers.rs (and so by .ci/run) against a test server.
"""

import os
import sys
import traceback
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

import caldav
from caldav.lib import error

UID = "kairos-peers-7f3c1e@example.test"
STEP = "start"


class Mismatch(Exception):
    """What the server answered is not what a client expects."""


def step(name):
    global STEP
    STEP = name
    print(f"-- {name}", flush=True)


def check(condition, message):
    if not condition:
        raise Mismatch(message)


def ics(summary):
    return (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//Kairos peers//python-caldav check//EN\r\n"
        "BEGIN:VEVENT\r\n"
        f"UID:{UID}\r\n"
        "DTSTAMP:20260301T120000Z\r\n"
        "DTSTART:20260303T150000Z\r\n"
        "DTEND:20260303T160000Z\r\n"
        f"SUMMARY:{summary}\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )


def path_of(url):
    """The decoded path of a caldav URL, for comparisons that ignore quoting."""
    return unquote(str(caldav.lib.url.URL.objectify(url).path))


def uids(objects):
    found = []
    for obj in objects:
        if not obj.data:
            obj.load()
        found.append(str(obj.icalendar_component["UID"]))
    return found


def utc(year, month, day):
    return datetime(year, month, day, tzinfo=timezone.utc)


def discover(client):
    step("discovery: principal and calendars")
    principal = client.principal()
    check(
        path_of(principal.url).rstrip("/").endswith("/principals/domina"),
        f"principal URL is {principal.url}",
    )
    calendars = principal.calendars()
    by_name = {path_of(c.url).rstrip("/").rsplit("/", 1)[-1]: c for c in calendars}
    print(f"   calendars: {sorted(by_name)}")
    for name in ("bookings", "personal"):
        check(name in by_name, f"no `{name}` calendar among {sorted(by_name)}")
    return principal, by_name["personal"]


def create(personal):
    step("create: PUT a new event")
    event = personal.save_event(ics("Peers check"))
    check(event.url is not None, "the saved event has no URL")
    check(path_of(event.url).startswith(path_of(personal.url)), f"event URL {event.url}")
    print(f"   created {event.url}")
    return event


def query(personal):
    step("query: calendar-query by time range")
    hits = personal.search(start=utc(2026, 3, 3), end=utc(2026, 3, 4), event=True, expand=False)
    found = uids(hits)
    check(found.count(UID) == 1, f"2026-03-03 search found {found}, want {UID} once")
    misses = personal.search(start=utc(2026, 3, 5), end=utc(2026, 3, 6), event=True, expand=False)
    check(UID not in uids(misses), "2026-03-05 search found the 2026-03-03 event")


def multiget(personal, event):
    step("multiget: calendar-multiget and lookup by UID")
    fetched = personal.multiget([event.url], raise_notfound=True)
    check(len(fetched) == 1, f"multiget returned {len(fetched)} objects")
    data = fetched[0].data or ""
    check(f"UID:{UID}" in data, f"multiget data lacks the UID: {data!r}")
    check("SUMMARY:Peers check" in data, f"multiget data lacks the summary: {data!r}")
    by_uid = personal.object_by_uid(UID)
    check(path_of(by_uid.url) == path_of(event.url), f"by UID: {by_uid.url}, want {event.url}")


def sync(personal, event, token):
    step("sync: sync-collection after a change")
    changed = personal.objects_by_sync_token(sync_token=token, disable_fallback=True)
    paths = [path_of(o.url) for o in changed]
    check(path_of(event.url) in paths, f"the created event is not in the sync delta {paths}")
    check(changed.sync_token != token, "the sync token did not move after a change")
    event.load()
    event.icalendar_component["SUMMARY"] = "Peers check, moved"
    event.save()
    again = personal.objects_by_sync_token(sync_token=changed.sync_token, disable_fallback=True)
    paths = [path_of(o.url) for o in again]
    check(paths == [path_of(event.url)], f"sync after an edit gave {paths}")
    moved = again.objects[0]
    moved.load()
    check("moved" in str(moved.icalendar_component["SUMMARY"]), "the edit did not arrive")
    return again.sync_token


def delete(personal, event, token):
    step("delete: DELETE the event, then it is gone")
    url = path_of(event.url)
    event.delete()
    try:
        personal.object_by_uid(UID)
        raise Mismatch("the deleted event is still found by UID")
    except error.NotFoundError:
        pass
    hits = personal.search(start=utc(2026, 3, 3), end=utc(2026, 3, 4), event=True, expand=False)
    check(UID not in uids(hits), "the deleted event is still found by time range")
    gone = personal.objects_by_sync_token(sync_token=token, disable_fallback=True)
    deleted = [path_of(u) for u in gone.deleted_urls]
    check(url in deleted, f"sync after the delete reports removals {deleted}, want {url}")


def scratch_calendar(principal):
    step("make_calendar: MKCALENDAR, use, delete")
    name = f"Peers scratch {datetime.now(timezone.utc):%H%M%S}"
    made = principal.make_calendar(name=name)
    listed = [path_of(c.url) for c in principal.calendars()]
    check(path_of(made.url) in listed, f"new calendar {made.url} not listed in {listed}")
    check(made.get_display_name() == name, f"display name is {made.get_display_name()!r}")
    made.save_event(ics("In the scratch calendar"))
    check(uids(made.search(event=True)) == [UID], "the scratch calendar does not hold its event")
    made.delete()
    listed = [path_of(c.url) for c in principal.calendars()]
    check(path_of(made.url) not in listed, f"deleted calendar still listed in {listed}")


def run(url, user, password):
    with caldav.DAVClient(url=url, username=user, password=password, timeout=30) as client:
        principal, personal = discover(client)
        step("sync: initial sync-collection")
        initial = personal.objects_by_sync_token(disable_fallback=True)
        check(initial.sync_token, "the initial sync-collection gave no token")
        event = create(personal)
        query(personal)
        multiget(personal, event)
        token = sync(personal, event, initial.sync_token)
        delete(personal, event, token)
        scratch_calendar(principal)


def main(argv):
    args = argv[1:] or [
        os.environ.get("KAIROS_DAV_URL", ""),
        os.environ.get("KAIROS_DAV_USER", ""),
        os.environ.get("KAIROS_DAV_PASSWORD", ""),
    ]
    if len(args) != 3 or not all(args):
        print("usage: caldav_client.py URL USER PASSWORD", file=sys.stderr)
        return 2
    print(f"python-caldav {caldav.__version__} against {args[0]}", flush=True)
    try:
        run(*args)
    except Mismatch as mismatch:
        print(f"FAIL: {STEP}: {mismatch}", flush=True)
        return 1
    except Exception as exc:  # an error from the client library is a failure too
        traceback.print_exc()
        print(f"FAIL: {STEP}: {type(exc).__name__}: {exc}", flush=True)
        return 1
    print("OK: every step matched", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
