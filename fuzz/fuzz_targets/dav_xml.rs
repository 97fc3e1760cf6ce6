//! WebDAV/CalDAV request bodies, as the DAV methods read them: the same bytes offered to
//! every parser (PROPFIND, PROPPATCH, MKCALENDAR, extended MKCOL, REPORT). What a
//! REPORT asks is then carried out on a fixed recurring event (the filter evaluated,
//! calendar-data expanded or limited), and what would be echoed back (property names,
//! dead property values, hrefs, a sync token) is written into a multistatus that must be
//! well-formed XML.
#![no_main]

use std::sync::OnceLock;

use chrono_tz::Tz;
use kairos::dav::xml::PropName;
use kairos::dav::xml::request::{
    PropPatchOp, PropSelection, Report, parse_mkcalendar, parse_mkcol, parse_propfind,
    parse_proppatch, parse_report,
};
use kairos::dav::xml::response::{Multistatus, PropValue};
use kairos::ical::filter::CalendarDataRequest;
use kairos::ical::{CalendarObject, write};
use libfuzzer_sys::fuzz_target;

const FLOATING: Tz = chrono_tz::America::New_York;

/// A weekly event with an override and an alarm: what filters and expansion run on.
const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n\
BEGIN:VEVENT\r\nUID:weekly@fuzz\r\nDTSTAMP:20250101T000000Z\r\n\
DTSTART;TZID=America/New_York:20250106T090000\r\nDURATION:PT1H\r\n\
RRULE:FREQ=WEEKLY;BYDAY=MO,WE\r\nSUMMARY:Standup\r\n\
ATTENDEE;PARTSTAT=ACCEPTED:mailto:host@kairos.example\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nREPEAT:2\r\nDURATION:PT5M\r\n\
DESCRIPTION:soon\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly@fuzz\r\nDTSTAMP:20250101T000000Z\r\n\
RECURRENCE-ID;TZID=America/New_York:20250113T090000\r\n\
DTSTART;TZID=America/New_York:20250113T140000\r\nDURATION:PT30M\r\n\
SUMMARY:Standup moved\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn event() -> &'static CalendarObject {
    static EVENT_OBJECT: OnceLock<CalendarObject> = OnceLock::new();
    EVENT_OBJECT
        .get_or_init(|| CalendarObject::parse(EVENT).expect("invariant: the fixed event parses"))
}

fuzz_target!(|data: &[u8]| {
    let mut echoed: Vec<(PropName, Option<PropValue>)> = Vec::new();
    if let Ok(selection) = parse_propfind(data) {
        echo_selection(&selection, &mut echoed);
    }
    if let Ok(operations) = parse_proppatch(data) {
        for operation in operations {
            match operation {
                PropPatchOp::Set(element) => {
                    let name = element.name.clone();
                    echoed.push((name, Some(PropValue::content_of(element))));
                }
                PropPatchOp::Remove(name) => echoed.push((name, None)),
            }
        }
    }
    for collection in [parse_mkcalendar(data), parse_mkcol(data)]
        .into_iter()
        .flatten()
    {
        let names = collection.resourcetype.clone();
        echoed.push((
            PropName::dav("resourcetype"),
            Some(PropValue::wrapped_names(&[], names)),
        ));
        for element in collection.props {
            let name = element.name.clone();
            echoed.push((name, Some(PropValue::content_of(element))));
        }
    }
    let mut hrefs = vec!["/dav/calendars/work/".to_string()];
    let mut token = None;
    if let Ok(report) = parse_report(data) {
        match report {
            Report::CalendarQuery(query) => {
                let _ = event().matches(&query.filter, FLOATING);
                carry_out(query.calendar_data);
                echo_selection(&query.props, &mut echoed);
            }
            Report::CalendarMultiget(multiget) => {
                carry_out(multiget.calendar_data);
                echo_selection(&multiget.props, &mut echoed);
                hrefs.extend(multiget.hrefs);
            }
            Report::SyncCollection(sync) => {
                carry_out(sync.calendar_data);
                echo_selection(&sync.props, &mut echoed);
                token = Some(sync.sync_token);
            }
            Report::FreeBusyQuery(range) => {
                let _ = event().matches(&vcalendar_in(range), FLOATING);
            }
            Report::Unsupported(name) => echoed.push((name, None)),
        }
    }
    let mut multistatus = Multistatus::new();
    let props: Vec<(&PropName, Option<PropValue>)> = echoed
        .iter()
        .map(|(name, value)| (name, value.clone()))
        .collect();
    for href in &hrefs {
        multistatus.push_found(href, &props);
    }
    if let Some(token) = token {
        multistatus.set_sync_token(token);
    }
    assert_well_formed(&multistatus.into_xml());
});

fn echo_selection(selection: &PropSelection, echoed: &mut Vec<(PropName, Option<PropValue>)>) {
    match selection {
        PropSelection::AllProp { include } => {
            echoed.extend(include.iter().map(|name| (name.clone(), None)));
        }
        PropSelection::PropNames => {}
        PropSelection::Prop(names) => echoed.extend(names.iter().map(|name| (name.clone(), None))),
    }
}

/// The calendar-data a REPORT asked for, written from the fixed event.
fn carry_out(request: Option<CalendarDataRequest>) {
    let Some(request) = request else {
        return;
    };
    if let Some(range) = request.expand {
        let _ = write::expanded(event(), &range, FLOATING);
    }
    if let Some(range) = request.limit_recurrence_set {
        let _ = write::limited_recurrence_set(event(), &range, FLOATING);
    }
}

fn vcalendar_in(range: kairos::ical::filter::TimeRange) -> kairos::ical::filter::CompFilter {
    let event = kairos::ical::filter::CompFilter {
        name: "VEVENT".into(),
        is_not_defined: false,
        time_range: Some(range),
        prop_filters: Vec::new(),
        comp_filters: Vec::new(),
    };
    kairos::ical::filter::CompFilter {
        name: "VCALENDAR".into(),
        is_not_defined: false,
        time_range: None,
        prop_filters: Vec::new(),
        comp_filters: vec![event],
    }
}

/// Every start tag closed in order, every prefix bound: what any client can read.
fn assert_well_formed(xml: &[u8]) {
    let text = std::str::from_utf8(xml).expect("a multistatus is UTF-8");
    let mut reader = quick_xml::NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    loop {
        match reader.read_resolved_event() {
            Ok((
                namespace,
                quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_),
            )) => {
                assert!(
                    !matches!(namespace, quick_xml::name::ResolveResult::Unknown(_)),
                    "an unbound prefix in {text}"
                );
            }
            Ok((_, quick_xml::events::Event::Eof)) => break,
            Ok(_) => {}
            Err(error) => panic!("a multistatus that is not XML ({error}): {text}"),
        }
    }
}
