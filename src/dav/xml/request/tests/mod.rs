//! Request bodies in the shapes Apple Calendar, Thunderbird, DAVx5 and Evolution
//! send (prefixes `A:`, `D:`, `d:`, default namespaces), and hostile ones.

mod report;

use super::*;
use crate::dav::xml::{APPLE_ICAL, CALENDARSERVER, MAX_DEPTH, MAX_ELEMENTS};

#[test]
fn propfind_bodies_of_each_client_resolve_to_the_same_names() {
    let cases: [(&str, &str, PropSelection); 8] = [
        (
            "empty body is allprop",
            "",
            PropSelection::AllProp { include: vec![] },
        ),
        (
            "whitespace body is allprop",
            " \r\n",
            PropSelection::AllProp { include: vec![] },
        ),
        (
            "apple principal discovery, A: prefix",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<A:propfind xmlns:A="DAV:">
  <A:prop>
    <A:current-user-principal/>
    <A:principal-URL/>
    <A:resourcetype/>
  </A:prop>
</A:propfind>"#,
            PropSelection::Prop(vec![
                PropName::dav("current-user-principal"),
                PropName::dav("principal-URL"),
                PropName::dav("resourcetype"),
            ]),
        ),
        (
            "apple principal properties, prefixes declared on each element",
            r#"<A:propfind xmlns:A="DAV:"><A:prop><B:calendar-home-set xmlns:B="urn:ietf:params:xml:ns:caldav"/><C:email-address-set xmlns:C="http://calendarserver.org/ns/"/><B:schedule-inbox-URL xmlns:B="urn:ietf:params:xml:ns:caldav"/></A:prop></A:propfind>"#,
            PropSelection::Prop(vec![
                PropName::caldav("calendar-home-set"),
                PropName::calendarserver("email-address-set"),
                PropName::caldav("schedule-inbox-URL"),
            ]),
        ),
        (
            "davx5, default DAV: namespace",
            r#"<?xml version='1.0' encoding='UTF-8' ?><propfind xmlns="DAV:" xmlns:CAL="urn:ietf:params:xml:ns:caldav"><prop><current-user-principal /><CAL:calendar-home-set /></prop></propfind>"#,
            PropSelection::Prop(vec![
                PropName::dav("current-user-principal"),
                PropName::caldav("calendar-home-set"),
            ]),
        ),
        (
            "thunderbird collection properties, D: C: CS: prefixes",
            r#"<?xml version="1.0" encoding="UTF-8"?>
<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:resourcetype/><D:owner/><C:supported-calendar-component-set/><CS:getctag/></D:prop>
</D:propfind>"#,
            PropSelection::Prop(vec![
                PropName::dav("resourcetype"),
                PropName::dav("owner"),
                PropName::caldav("supported-calendar-component-set"),
                PropName::calendarserver("getctag"),
            ]),
        ),
        (
            "evolution, lower-case prefixes and an unknown namespace kept",
            r#"<d:propfind xmlns:d="DAV:" xmlns:x="urn:example:unknown"><d:prop><d:displayname/><x:colour/></d:prop></d:propfind>"#,
            PropSelection::Prop(vec![
                PropName::dav("displayname"),
                PropName::new("urn:example:unknown", "colour"),
            ]),
        ),
        (
            "allprop with include",
            r#"<D:propfind xmlns:D="DAV:"><D:allprop/><D:include><D:supported-report-set/></D:include></D:propfind>"#,
            PropSelection::AllProp {
                include: vec![PropName::dav("supported-report-set")],
            },
        ),
    ];
    for (label, body, expected) in cases {
        assert_eq!(parse_propfind(body.as_bytes()), Ok(expected), "{label}");
    }
    let propname = r#"<propfind xmlns="DAV:"><propname/></propfind>"#;
    assert_eq!(
        parse_propfind(propname.as_bytes()),
        Ok(PropSelection::PropNames)
    );
}

#[test]
fn proppatch_keeps_order_values_and_attributes() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<A:propertyupdate xmlns:A="DAV:">
  <A:set><A:prop>
    <B:calendar-color xmlns:B="http://apple.com/ns/ical/" symbolic-color="custom">#FF2968FF</B:calendar-color>
    <A:displayname>Work &amp; Play</A:displayname>
  </A:prop></A:set>
  <A:remove><A:prop><C:calendar-description xmlns:C="urn:ietf:params:xml:ns:caldav"/></A:prop></A:remove>
  <A:set><A:prop>
    <C:calendar-timezone xmlns:C="urn:ietf:params:xml:ns:caldav"><![CDATA[BEGIN:VCALENDAR
END:VCALENDAR]]></C:calendar-timezone>
    <X:tags xmlns:X="urn:example"><X:tag>a</X:tag><X:tag>b</X:tag></X:tags>
  </A:prop></A:set>
</A:propertyupdate>"#;
    let operations = parse_proppatch(body.as_bytes()).expect("valid proppatch");
    let [
        PropPatchOp::Set(color),
        PropPatchOp::Set(name),
        PropPatchOp::Remove(removed),
        PropPatchOp::Set(zone),
        PropPatchOp::Set(tags),
    ] = operations.as_slice()
    else {
        panic!("unexpected operations {operations:?}");
    };
    assert_eq!(color.name, PropName::apple_ical("calendar-color"));
    assert_eq!(color.text(), "#FF2968FF");
    assert_eq!(color.attribute("symbolic-color"), Some("custom"));
    assert_eq!(name.text(), "Work & Play");
    assert_eq!(*removed, PropName::caldav("calendar-description"));
    assert_eq!(zone.text(), "BEGIN:VCALENDAR\nEND:VCALENDAR");
    let tag_texts: Vec<String> = tags.elements().map(Element::text).collect();
    assert_eq!(tag_texts, ["a", "b"]);
}

#[test]
fn mkcalendar_and_extended_mkcol_split_out_type_and_components() {
    let apple_mkcalendar = r#"<?xml version="1.0" encoding="UTF-8"?>
<B:mkcalendar xmlns:B="urn:ietf:params:xml:ns:caldav"><A:set xmlns:A="DAV:"><A:prop>
<B:supported-calendar-component-set><B:comp name="VEVENT"/></B:supported-calendar-component-set>
<A:displayname>Work</A:displayname>
<D:calendar-order xmlns:D="http://apple.com/ns/ical/">2</D:calendar-order>
</A:prop></A:set></B:mkcalendar>"#;
    let rfc5689_mkcol = r#"<?xml version="1.0" encoding="utf-8" ?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
<D:displayname>Lisa's Events</D:displayname>
<C:supported-calendar-component-set><C:comp name="vevent"/><C:comp name="VTODO"/></C:supported-calendar-component-set>
</D:prop></D:set></D:mkcol>"#;

    let calendar = parse_mkcalendar(apple_mkcalendar.as_bytes()).expect("valid mkcalendar");
    assert_eq!(calendar.resourcetype, Vec::<PropName>::new());
    assert_eq!(calendar.components, Some(vec!["VEVENT".to_owned()]));
    let names: Vec<&PropName> = calendar.props.iter().map(|prop| &prop.name).collect();
    assert_eq!(
        names,
        [
            &PropName::dav("displayname"),
            &PropName::apple_ical("calendar-order")
        ]
    );

    let collection = parse_mkcol(rfc5689_mkcol.as_bytes()).expect("valid mkcol");
    assert_eq!(
        collection.resourcetype,
        [PropName::dav("collection"), PropName::caldav("calendar")]
    );
    assert_eq!(
        collection.components,
        Some(vec!["VEVENT".to_owned(), "VTODO".to_owned()])
    );
    assert_eq!(collection.props[0].text(), "Lisa's Events");

    assert_eq!(parse_mkcalendar(b""), Ok(MkCollection::default()));
}

/// A PROPPATCH setting a dead property `depth` elements deep, under the three
/// elements of the PROPPATCH itself.
fn nested(depth: usize) -> String {
    let open = "<X:a>".repeat(depth);
    let close = "</X:a>".repeat(depth);
    format!(
        r#"<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x"><D:set><D:prop>{open}{close}</D:prop></D:set></D:propertyupdate>"#
    )
}

#[test]
fn hostile_and_malformed_bodies_are_refused() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol3;</D:displayname></D:prop></D:propfind>"#;
    let external_entity = r#"<!DOCTYPE D:propfind [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<D:propfind xmlns:D="DAV:"><D:prop>&xxe;</D:prop></D:propfind>"#;
    let many_hrefs = format!(
        r#"<D:propfind xmlns:D="DAV:">{}</D:propfind>"#,
        "<D:href>/x</D:href>".repeat(MAX_ELEMENTS)
    );
    let cases: [(&str, String, &str); 13] = [
        (
            "billion laughs",
            billion_laughs.into(),
            "DOCTYPE at byte 22 refused",
        ),
        (
            "external entity",
            external_entity.into(),
            "DOCTYPE at byte 0 refused",
        ),
        (
            "undeclared entity",
            r#"<D:propfind xmlns:D="DAV:">&xxe;</D:propfind>"#.into(),
            "undeclared entity &xxe;",
        ),
        ("deep nesting", nested(MAX_DEPTH), "nested deeper than 64"),
        ("too many elements", many_hrefs, "more than 20000 elements"),
        (
            "unclosed",
            r#"<D:propfind xmlns:D="DAV:"><D:prop>"#.into(),
            "malformed XML",
        ),
        (
            "mismatched end tag",
            r#"<D:propfind xmlns:D="DAV:"></D:prop>"#.into(),
            "malformed XML",
        ),
        (
            "unbound prefix",
            "<D:propfind><D:allprop/></D:propfind>".into(),
            r#"unbound prefix "D""#,
        ),
        (
            "two roots",
            r#"<propfind xmlns="DAV:"><allprop/></propfind><propfind xmlns="DAV:"/>"#.into(),
            "a second root element",
        ),
        (
            "text after the root",
            r#"<propfind xmlns="DAV:"><allprop/></propfind>junk"#.into(),
            "text outside the root element",
        ),
        (
            "no namespace",
            "<propfind><allprop/></propfind>".into(),
            "expected the root element {DAV:}propfind, found {}propfind",
        ),
        (
            "wrong root",
            r#"<D:propertyupdate xmlns:D="DAV:"/>"#.into(),
            "found {DAV:}propertyupdate",
        ),
        (
            "nothing asked for",
            r#"<D:propfind xmlns:D="DAV:"/>"#.into(),
            "{DAV:}propfind lacks the required {DAV:}prop",
        ),
    ];
    for (label, body, fragment) in cases {
        let error = parse_propfind(body.as_bytes()).expect_err(label);
        assert!(error.to_string().contains(fragment), "{label}: {error}");
    }
    let not_utf8 = parse_propfind(b"<propfind xmlns=\"DAV:\">\xff</propfind>");
    assert_eq!(not_utf8, Err(XmlError::NotUtf8 { offset: 23 }));
    let at_the_limit = nested(MAX_DEPTH - 3);
    assert!(parse_proppatch(at_the_limit.as_bytes()).is_ok());
    let over_the_limit = parse_proppatch(nested(MAX_DEPTH - 2).as_bytes());
    assert!(matches!(over_the_limit, Err(XmlError::TooDeep { .. })));
}

#[test]
fn namespaces_are_resolved_not_compared_by_prefix() {
    // The same prefix bound to different namespaces at different depths, and a
    // default namespace switched off with xmlns="".
    let body = r#"<D:propfind xmlns:D="DAV:"><D:prop xmlns:X="http://apple.com/ns/ical/"><X:calendar-color/><X:getctag xmlns:X="http://calendarserver.org/ns/"/><plain xmlns=""/></D:prop></D:propfind>"#;
    let expected = PropSelection::Prop(vec![
        PropName::new(APPLE_ICAL, "calendar-color"),
        PropName::new(CALENDARSERVER, "getctag"),
        PropName::new("", "plain"),
    ]);
    assert_eq!(parse_propfind(body.as_bytes()), Ok(expected));
}

#[test]
fn fuzz_dav_xml_names_that_are_not_xml_names_are_malformed_not_echoed() {
    // Found by fuzzing (fuzz/regressions/dav_xml): quick-xml read `<D:p<D:propfind`
    // as one element name, which a 404 propstat wrote back as `<p<D:propfind …/>`.
    for body in [
        r#"<D:propfind xmlns:D="DAV:"><D:prop><D:p<D:x/></D:prop></D:propfind>"#,
        r#"<D:p<D:propfind xmlns:D="DAV:"/>"#,
        r#"<D:propfind xmlns:D="DAV:"><D:prop><D:a:b/></D:prop></D:propfind>"#,
        r#"<D:propfind xmlns:D="DAV:"><D:prop><D:1st/></D:prop></D:propfind>"#,
        r#"<D:propfind xmlns:D="DAV:"><D:prop><D:x a<b="1"/></D:prop></D:propfind>"#,
    ] {
        let error = parse_propfind(body.as_bytes()).expect_err(body);
        assert!(error.to_string().contains("is not an"), "{body}: {error}");
        assert!(parse_report(body.as_bytes()).is_err(), "{body}");
    }
    let unusual = r#"<D:propfind xmlns:D="DAV:" xmlns:X="urn:x"><D:prop><X:ünï-code_1.0/></D:prop></D:propfind>"#;
    assert_eq!(
        parse_propfind(unusual.as_bytes()),
        Ok(PropSelection::Prop(vec![PropName::new(
            "urn:x",
            "ünï-code_1.0"
        )]))
    );
}
