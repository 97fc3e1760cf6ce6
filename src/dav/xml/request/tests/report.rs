//! REPORT bodies: DAVx5's sync-collection, Thunderbird's multiget, calendar-queries
//! with expand and text-match filters, and values the RFCs do not allow.

use chrono::{DateTime, TimeZone, Utc};

use super::super::*;
use crate::ical::filter::{
    CalendarDataRequest, Collation, CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange,
};

fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0)
        .single()
        .expect("valid test time")
}

fn range(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> TimeRange {
    TimeRange { start, end }
}

fn comp(name: &str) -> CompFilter {
    CompFilter {
        name: name.to_owned(),
        is_not_defined: false,
        time_range: None,
        prop_filters: Vec::new(),
        comp_filters: Vec::new(),
    }
}

fn prop_filter(name: &str) -> PropFilter {
    PropFilter {
        name: name.to_owned(),
        is_not_defined: false,
        time_range: None,
        text_match: None,
        param_filters: Vec::new(),
    }
}

#[test]
fn sync_collection_of_davx5_and_apple() {
    let cases = [
        (
            "davx5 initial sync, empty token, default namespace",
            r#"<?xml version='1.0' encoding='UTF-8' ?><sync-collection xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav" xmlns:CARD="urn:ietf:params:xml:ns:carddav"><sync-token /><sync-level>1</sync-level><prop><getcontenttype /><getetag /></prop></sync-collection>"#,
            "",
            SyncLevel::One,
            None,
        ),
        (
            "apple with token and limit",
            r#"<A:sync-collection xmlns:A="DAV:"><A:sync-token>http://kairos/sync/42</A:sync-token><A:sync-level>infinite</A:sync-level><A:limit><A:nresults> 100 </A:nresults></A:limit><A:prop><A:getetag/></A:prop></A:sync-collection>"#,
            "http://kairos/sync/42",
            SyncLevel::Infinite,
            Some(100),
        ),
    ];
    for (label, body, token, level, limit) in cases {
        let Ok(Report::SyncCollection(sync)) = parse_report(body.as_bytes()) else {
            panic!("{label}: not a sync-collection");
        };
        assert_eq!(sync.sync_token, token, "{label}");
        assert_eq!(sync.sync_level, level, "{label}");
        assert_eq!(sync.limit, limit, "{label}");
        let PropSelection::Prop(names) = &sync.props else {
            panic!("{label}: no prop list");
        };
        assert!(names.contains(&PropName::dav("getetag")), "{label}");
    }
}

#[test]
fn thunderbird_calendar_multiget_lists_hrefs_and_calendar_data() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <D:href>/dav/calendars/domina/personal/a%20b.ics</D:href>
  <D:href>
    /dav/calendars/domina/personal/c.ics
  </D:href>
</C:calendar-multiget>"#;
    let expected = CalendarMultiget {
        props: PropSelection::Prop(vec![
            PropName::dav("getetag"),
            PropName::caldav("calendar-data"),
        ]),
        calendar_data: Some(CalendarDataRequest::default()),
        hrefs: vec![
            "/dav/calendars/domina/personal/a%20b.ics".to_owned(),
            "/dav/calendars/domina/personal/c.ics".to_owned(),
        ],
    };
    assert_eq!(
        parse_report(body.as_bytes()),
        Ok(Report::CalendarMultiget(expected))
    );
}

#[test]
fn calendar_queries_build_the_filter_tree() {
    let davx5_time_range = r#"<?xml version='1.0' encoding='UTF-8' ?><CAL:calendar-query xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop><getetag /></prop><CAL:filter><CAL:comp-filter name="VCALENDAR"><CAL:comp-filter name="VEVENT"><CAL:time-range start="20240101T000000Z" /></CAL:comp-filter></CAL:comp-filter></CAL:filter></CAL:calendar-query>"#;
    let expand = r#"<?xml version="1.0" encoding="utf-8" ?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop>
    <C:calendar-data>
      <C:expand start="20240301T000000Z" end="20240308T000000Z"/>
    </C:calendar-data>
  </D:prop>
  <C:filter>
    <C:comp-filter name="VCALENDAR">
      <C:comp-filter name="VEVENT">
        <C:time-range start="20240301T000000Z" end="20240308T000000Z"/>
      </C:comp-filter>
    </C:comp-filter>
  </C:filter>
  <C:timezone>BEGIN:VCALENDAR</C:timezone>
</C:calendar-query>"#;
    let evolution_text_match = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="vtodo"><c:prop-filter name="COMPLETED"><c:is-not-defined/></c:prop-filter><c:prop-filter name="STATUS"><c:text-match negate-condition="yes">CANCELLED</c:text-match></c:prop-filter><c:prop-filter name="ATTENDEE"><c:text-match collation="i;octet">mailto:domina@example.com</c:text-match><c:param-filter name="partstat"><c:text-match>NEEDS-ACTION</c:text-match></c:param-filter></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;

    let event_from = |time_range| CompFilter {
        comp_filters: vec![CompFilter {
            time_range: Some(time_range),
            ..comp("VEVENT")
        }],
        ..comp("VCALENDAR")
    };
    let week = range(Some(at(2024, 3, 1, 0)), Some(at(2024, 3, 8, 0)));
    let text = |text: &str, collation, negate| TextMatch {
        text: text.to_owned(),
        collation,
        negate,
    };
    let todo_filter = CompFilter {
        comp_filters: vec![CompFilter {
            prop_filters: vec![
                PropFilter {
                    is_not_defined: true,
                    ..prop_filter("COMPLETED")
                },
                PropFilter {
                    text_match: Some(text("CANCELLED", Collation::AsciiCasemap, true)),
                    ..prop_filter("STATUS")
                },
                PropFilter {
                    text_match: Some(text("mailto:domina@example.com", Collation::Octet, false)),
                    param_filters: vec![ParamFilter {
                        name: "PARTSTAT".to_owned(),
                        is_not_defined: false,
                        text_match: Some(text("NEEDS-ACTION", Collation::AsciiCasemap, false)),
                    }],
                    ..prop_filter("ATTENDEE")
                },
            ],
            ..comp("VTODO")
        }],
        ..comp("VCALENDAR")
    };
    let cases = [
        (
            "davx5 open-ended time range",
            davx5_time_range,
            CalendarQuery {
                props: PropSelection::Prop(vec![PropName::dav("getetag")]),
                calendar_data: None,
                filter: event_from(range(Some(at(2024, 1, 1, 0)), None)),
                timezone: None,
            },
        ),
        (
            "expand a week",
            expand,
            CalendarQuery {
                props: PropSelection::Prop(vec![PropName::caldav("calendar-data")]),
                calendar_data: Some(CalendarDataRequest {
                    expand: Some(week),
                    ..CalendarDataRequest::default()
                }),
                filter: event_from(week),
                timezone: Some("BEGIN:VCALENDAR".to_owned()),
            },
        ),
        (
            "evolution text-match with negate, collation and param-filter",
            evolution_text_match,
            CalendarQuery {
                props: PropSelection::Prop(vec![PropName::dav("getetag")]),
                calendar_data: None,
                filter: todo_filter,
                timezone: None,
            },
        ),
    ];
    for (label, body, expected) in cases {
        assert_eq!(
            parse_report(body.as_bytes()),
            Ok(Report::CalendarQuery(expected)),
            "{label}"
        );
    }
}

#[test]
fn free_busy_and_unsupported_reports() {
    let free_busy = r#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range start="20240301T090000Z" end="20240301T170000Z"/></C:free-busy-query>"#;
    let expected = range(Some(at(2024, 3, 1, 9)), Some(at(2024, 3, 1, 17)));
    assert_eq!(
        parse_report(free_busy.as_bytes()),
        Ok(Report::FreeBusyQuery(expected))
    );

    let cases = [
        (
            r#"<D:expand-property xmlns:D="DAV:"/>"#,
            PropName::dav("expand-property"),
        ),
        (
            r#"<principal-search-property-set xmlns="DAV:"/>"#,
            PropName::dav("principal-search-property-set"),
        ),
        (
            r#"<C:addressbook-query xmlns:C="urn:ietf:params:xml:ns:carddav"/>"#,
            PropName::new("urn:ietf:params:xml:ns:carddav", "addressbook-query"),
        ),
    ];
    for (body, name) in cases {
        assert_eq!(parse_report(body.as_bytes()), Ok(Report::Unsupported(name)));
    }
}

/// A calendar-query around a filter body, for the refusal cases.
fn query(filter: &str) -> String {
    format!(
        r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter>{filter}</C:filter></C:calendar-query>"#
    )
}

#[test]
fn invalid_report_values_are_refused_with_context() {
    let time_range = |attributes: &str| {
        query(&format!(
            r#"<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range {attributes}/></C:comp-filter></C:comp-filter>"#
        ))
    };
    let text_match = |attributes: &str| {
        query(&format!(
            r#"<C:comp-filter name="VCALENDAR"><C:prop-filter name="SUMMARY"><C:text-match {attributes}>x</C:text-match></C:prop-filter></C:comp-filter>"#
        ))
    };
    let sync = |children: &str| {
        format!(r#"<sync-collection xmlns="DAV:">{children}<prop/></sync-collection>"#)
    };
    let expand = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><C:calendar-data><C:expand start="20240101T000000Z"/></C:calendar-data></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>"#;
    let multiget = r#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop/></C:calendar-multiget>"#;
    let cases: [(&str, String, &str); 15] = [
        (
            "floating time",
            time_range(r#"start="20240101T000000""#),
            r#"time-range: invalid value "20240101T000000""#,
        ),
        (
            "offset time",
            time_range(r#"start="20240101T000000+0100""#),
            "\"20240101T000000+0100\"",
        ),
        (
            "date only",
            time_range(r#"start="20240101""#),
            "expected a UTC date-time",
        ),
        ("neither end", time_range(""), "expected a start or an end"),
        (
            "end before start",
            time_range(r#"start="20240102T000000Z" end="20240101T000000Z""#),
            "expected an end after the start",
        ),
        (
            "unknown collation",
            text_match(r#"collation="i;unicode-casemap""#),
            r#"collation "i;unicode-casemap" is not supported"#,
        ),
        (
            "negate neither yes nor no",
            text_match(r#"negate-condition="true""#),
            "\"true\"",
        ),
        (
            "comp-filter without a name",
            query("<C:comp-filter/>"),
            "expected a name attribute",
        ),
        (
            "filter without comp-filter",
            query(""),
            "lacks the required {urn:ietf:params:xml:ns:caldav}comp-filter",
        ),
        (
            "expand without end",
            expand.into(),
            "expand: invalid value \"\", expected both",
        ),
        (
            "sync-level 2",
            sync("<sync-token/><sync-level>2</sync-level>"),
            "expected 1 or infinite",
        ),
        (
            "sync without token",
            sync("<sync-level>1</sync-level>"),
            "lacks the required {DAV:}sync-token",
        ),
        (
            "zero nresults",
            sync("<sync-token/><sync-level>1</sync-level><limit><nresults>0</nresults></limit>"),
            "expected a positive integer",
        ),
        (
            "multiget without href",
            multiget.into(),
            "lacks the required {DAV:}href",
        ),
        ("empty report", String::new(), "REPORT needs a request body"),
    ];
    for (label, body, fragment) in cases {
        let error = parse_report(body.as_bytes()).expect_err(label);
        assert!(error.to_string().contains(fragment), "{label}: {error}");
    }
    let error = parse_report(text_match(r#"collation="i;unicode-casemap""#).as_bytes());
    assert_eq!(
        error,
        Err(XmlError::UnsupportedCollation("i;unicode-casemap".into()))
    );
}
