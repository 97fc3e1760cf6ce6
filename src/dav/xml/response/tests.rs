//! Written bodies are read back and checked by structure, plus the few byte-level
//! facts clients depend on (the declaration, prefixes declared once on the root).

use hyper::StatusCode;

use super::*;
use crate::dav::xml::read::read_document;
use crate::dav::xml::request::{PropPatchOp, parse_proppatch};
use crate::dav::xml::{CALDAV, DAV};

fn read_back(xml: &[u8]) -> Element {
    read_document(xml)
        .expect("written XML reads back")
        .expect("written XML has a root")
}

fn names(parent: &Element) -> Vec<PropName> {
    parent.elements().map(|child| child.name.clone()).collect()
}

fn child<'a>(parent: &'a Element, namespace: &str, local: &str) -> &'a Element {
    parent
        .child(namespace, local)
        .unwrap_or_else(|| panic!("{} has no {local}", parent.name))
}

/// The property `name`, written with `value` in a multistatus and read back.
fn written_prop(name: PropName, value: PropValue) -> Element {
    let mut response = Response::new("/dav/");
    response.add(StatusCode::OK, name.clone(), value);
    let mut multistatus = Multistatus::new();
    multistatus.push(response);
    let root = read_back(&multistatus.into_xml());
    let propstat = child(child(&root, DAV, "response"), DAV, "propstat");
    child(child(propstat, DAV, "prop"), &name.namespace, &name.local).clone()
}

#[test]
fn multistatus_groups_props_by_status_and_ends_with_the_sync_token() {
    let mut calendar = Response::new("/dav/calendars/domina/bookings/");
    calendar
        .add(
            StatusCode::OK,
            PropName::dav("displayname"),
            PropValue::Text("Bookings".into()),
        )
        .add(
            StatusCode::NOT_FOUND,
            PropName::calendarserver("getctag"),
            PropValue::Empty,
        )
        .add(
            StatusCode::OK,
            PropName::dav("resourcetype"),
            PropValue::wrapped_names(
                &[],
                [PropName::dav("collection"), PropName::caldav("calendar")],
            ),
        );
    let mut multistatus = Multistatus::new();
    multistatus.push(calendar);
    multistatus.push(Response::with_status(
        "/dav/calendars/domina/bookings/gone.ics",
        StatusCode::NOT_FOUND,
    ));
    multistatus.set_sync_token("http://kairos.example/sync/7");
    let xml = multistatus.into_xml();

    let text = std::str::from_utf8(&xml).expect("UTF-8");
    assert!(
        text.starts_with(r#"<?xml version="1.0" encoding="utf-8"?>"#),
        "{text}"
    );
    for declaration in [
        r#"xmlns:D="DAV:""#,
        r#"xmlns:C="urn:ietf:params:xml:ns:caldav""#,
        r#"xmlns:CS="http://calendarserver.org/ns/""#,
        r#"xmlns:ICAL="http://apple.com/ns/ical/""#,
    ] {
        assert_eq!(
            text.matches(declaration).count(),
            1,
            "{declaration} in {text}"
        );
    }

    let root = read_back(&xml);
    assert_eq!(root.name, PropName::dav("multistatus"));
    let order = [
        PropName::dav("response"),
        PropName::dav("response"),
        PropName::dav("sync-token"),
    ];
    assert_eq!(names(&root), order);
    assert_eq!(
        child(&root, DAV, "sync-token").text(),
        "http://kairos.example/sync/7"
    );

    let [calendar, gone] = [0, 1].map(|index| root.elements().nth(index).expect("two responses"));
    assert_eq!(
        child(calendar, DAV, "href").text(),
        "/dav/calendars/domina/bookings/"
    );
    let propstats: Vec<&Element> = calendar
        .elements()
        .filter(|e| e.is(DAV, "propstat"))
        .collect();
    let statuses: Vec<String> = propstats
        .iter()
        .map(|p| child(p, DAV, "status").text())
        .collect();
    assert_eq!(statuses, ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"]);
    let found = child(propstats[0], DAV, "prop");
    assert_eq!(
        names(found),
        [PropName::dav("displayname"), PropName::dav("resourcetype")]
    );
    assert_eq!(child(found, DAV, "displayname").text(), "Bookings");
    let types = names(child(found, DAV, "resourcetype"));
    assert_eq!(
        types,
        [PropName::dav("collection"), PropName::caldav("calendar")]
    );
    let missing = child(propstats[1], DAV, "prop");
    assert_eq!(names(missing), [PropName::calendarserver("getctag")]);
    assert!(missing.elements().all(|prop| prop.children.is_empty()));

    assert_eq!(
        names(gone),
        [PropName::dav("href"), PropName::dav("status")]
    );
    assert_eq!(child(gone, DAV, "status").text(), "HTTP/1.1 404 Not Found");
}

#[test]
fn property_values_take_every_shape() {
    let calendar_data = "BEGIN:VCALENDAR\nSUMMARY:Tea & <cake> \"now\"\nEND:VCALENDAR\n";
    let data = written_prop(
        PropName::caldav("calendar-data"),
        PropValue::Text(calendar_data.into()),
    );
    assert_eq!(data.text(), calendar_data);

    let principal = written_prop(
        PropName::dav("current-user-principal"),
        PropValue::Href("/dav/principals/domina/".into()),
    );
    assert_eq!(
        child(&principal, DAV, "href").text(),
        "/dav/principals/domina/"
    );

    let addresses = written_prop(
        PropName::caldav("calendar-user-address-set"),
        PropValue::Hrefs(vec![
            "mailto:domina@example.com".into(),
            "/dav/principals/domina/".into(),
        ]),
    );
    let hrefs: Vec<String> = addresses.elements().map(Element::text).collect();
    assert_eq!(
        hrefs,
        ["mailto:domina@example.com", "/dav/principals/domina/"]
    );

    let components = ["VEVENT", "VTODO"]
        .map(|name| Element::new(PropName::caldav("comp")).with_attribute("name", name));
    let set = written_prop(
        PropName::caldav("supported-calendar-component-set"),
        PropValue::Elements(components.to_vec()),
    );
    let component_names: Vec<&str> = set
        .elements()
        .filter_map(|comp| comp.attribute("name"))
        .collect();
    assert_eq!(component_names, ["VEVENT", "VTODO"]);

    let reports = written_prop(
        PropName::dav("supported-report-set"),
        PropValue::wrapped_names(
            &[PropName::dav("supported-report"), PropName::dav("report")],
            [
                PropName::caldav("calendar-query"),
                PropName::dav("sync-collection"),
            ],
        ),
    );
    let reported: Vec<PropName> = reports
        .elements()
        .flat_map(|supported| names(child(supported, DAV, "report")))
        .collect();
    assert_eq!(
        reported,
        [
            PropName::caldav("calendar-query"),
            PropName::dav("sync-collection")
        ]
    );

    let privileges = written_prop(
        PropName::dav("current-user-privilege-set"),
        PropValue::wrapped_names(
            &[PropName::dav("privilege")],
            [PropName::dav("read"), PropName::dav("write")],
        ),
    );
    let granted: Vec<PropName> = privileges.elements().flat_map(names).collect();
    assert_eq!(granted, [PropName::dav("read"), PropName::dav("write")]);
}

#[test]
fn dead_properties_from_proppatch_echo_back_with_their_namespaces() {
    let body = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop>
<x:tags xmlns:x="urn:example:tags"><x:tag rank="1">a &amp; b</x:tag><d:href>/here</d:href><bare xmlns=""/></x:tags>
<I:calendar-color xmlns:I="http://apple.com/ns/ical/">#1BADF8FF</I:calendar-color>
</d:prop></d:set></d:propertyupdate>"#;
    let operations = parse_proppatch(body.as_bytes()).expect("valid proppatch");
    for operation in operations {
        let PropPatchOp::Set(property) = operation else {
            panic!("only sets were sent");
        };
        let echoed = written_prop(
            property.name.clone(),
            PropValue::content_of(property.clone()),
        );
        assert_eq!(echoed, property);
    }
}

#[test]
fn hrefs_are_percent_encoded_paths() {
    let cases = [
        ("/dav/calendars/domina/", "/dav/calendars/domina/"),
        (
            "/dav/calendars/domina/personal/a b.ics",
            "/dav/calendars/domina/personal/a%20b.ics",
        ),
        ("/dav/x/Grüße.ics", "/dav/x/Gr%C3%BC%C3%9Fe.ics"),
        ("/dav/x/100%?#.ics", "/dav/x/100%25%3F%23.ics"),
        ("/dav/x/uid@host&co.ics", "/dav/x/uid@host&co.ics"),
        ("mailto:domina@example.com", "mailto:domina@example.com"),
    ];
    for (path, encoded) in cases {
        let mut multistatus = Multistatus::new();
        multistatus.push(Response::with_status(path, StatusCode::OK));
        let root = read_back(&multistatus.into_xml());
        let href = child(child(&root, DAV, "response"), DAV, "href").text();
        assert_eq!(href, encoded, "{path}");
    }
}

#[test]
fn error_bodies_name_the_condition() {
    let cases = [
        (
            Precondition::ValidCalendarData,
            CALDAV,
            "valid-calendar-data",
        ),
        (
            Precondition::ValidCalendarObjectResource,
            CALDAV,
            "valid-calendar-object-resource",
        ),
        (
            Precondition::SupportedCalendarComponent,
            CALDAV,
            "supported-calendar-component",
        ),
        (Precondition::MaxResourceSize, CALDAV, "max-resource-size"),
        (Precondition::ValidSyncToken, DAV, "valid-sync-token"),
        (Precondition::SupportedReport, DAV, "supported-report"),
    ];
    for (precondition, namespace, local) in cases {
        let root = read_back(&error_body(&precondition));
        assert_eq!(root.name, PropName::dav("error"));
        assert_eq!(names(&root), [PropName::new(namespace, local)]);
    }

    let conflict = Precondition::NoUidConflict {
        href: "/dav/calendars/domina/personal/other event.ics".into(),
    };
    let root = read_back(&error_body(&conflict));
    let condition = child(&root, CALDAV, "no-uid-conflict");
    let href = child(condition, DAV, "href").text();
    assert_eq!(href, "/dav/calendars/domina/personal/other%20event.ics");
}
