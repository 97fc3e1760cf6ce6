//! Reading what an invitation asks, and who may ask it.

use super::*;

fn invitation(organizer: &str, attendees: &[&str], extra: &str) -> CalendarObject {
    let attendees: String = attendees
        .iter()
        .map(|a| format!("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{a}\r\n"))
        .collect();
    let text = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{extra}BEGIN:VEVENT\r\nUID:u-1\r\nDTSTAMP:20260302T120000Z\r\nSEQUENCE:3\r\nDTSTART:20260303T150000Z\r\nDTEND:20260303T153000Z\r\nSUMMARY: Tax return \r\nORGANIZER;CN=Ada:{organizer}\r\n{attendees}END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    CalendarObject::parse(&text).expect("valid")
}

fn address(text: &str) -> EmailAddress {
    EmailAddress::parse(text).expect("valid")
}

#[test]
fn the_body_method_wins_over_the_mime_one() {
    let counter = invitation("mailto:ada@example.com", &[], "METHOD:COUNTER\r\n");
    assert_eq!(method(&counter, Some("REPLY")), Method::Counter);
    let bare = invitation("mailto:ada@example.com", &[], "");
    assert_eq!(method(&bare, Some("request")), Method::Request);
    assert_eq!(method(&bare, None), Method::Other(String::new()));
}

#[test]
fn an_invitation_from_its_organizer_to_the_booking_address_is_read() {
    let object = invitation(
        "MAILTO:Ada@Example.com",
        &["ada@example.com", "BOOK@kairos.example"],
        "METHOD:REQUEST\r\n",
    );
    let from = address("ada@example.com");
    let asked = read(
        &object,
        None,
        &Envelope {
            from: &from,
            sender: None,
        },
        &address("book@kairos.example"),
    )
    .expect("acceptable");
    assert_eq!(
        asked,
        Asked::Invitation(Invitation {
            uid: "u-1".into(),
            sequence: 3,
            organizer: address("Ada@Example.com"),
            organizer_name: Some("Ada".into()),
            summary: "Tax return".into(),
            recurring: false,
        })
    );
}

#[test]
fn only_the_organizer_or_their_relay_may_invite_and_only_the_invited() {
    let booking = address("book@kairos.example");
    let object = invitation(
        "mailto:ada@example.com",
        &["book@kairos.example"],
        "METHOD:REQUEST\r\n",
    );
    let mallory = address("mallory@example.net");
    let relay = address("calendar-notification@google.example");
    let ada = address("ada@example.com");
    assert!(matches!(
        read(
            &object,
            None,
            &Envelope {
                from: &mallory,
                sender: None
            },
            &booking
        ),
        Err(ItipError::NotOrganizer { .. })
    ));
    // Google relays: From is the organizer, Sender its notification address.
    assert!(
        read(
            &object,
            None,
            &Envelope {
                from: &ada,
                sender: Some(&relay)
            },
            &booking
        )
        .is_ok()
    );
    // And the other way round.
    assert!(
        read(
            &object,
            None,
            &Envelope {
                from: &relay,
                sender: Some(&ada)
            },
            &booking
        )
        .is_ok()
    );
    let elsewhere = invitation(
        "mailto:ada@example.com",
        &["bob@example.com"],
        "METHOD:REQUEST\r\n",
    );
    assert_eq!(
        read(
            &elsewhere,
            None,
            &Envelope {
                from: &ada,
                sender: None
            },
            &booking
        ),
        Err(ItipError::NotInvited("book@kairos.example".into()))
    );
    let cancel = invitation(
        "mailto:ada@example.com",
        &["book@kairos.example"],
        "METHOD:CANCEL\r\n",
    );
    assert_eq!(
        read(
            &cancel,
            None,
            &Envelope {
                from: &ada,
                sender: None
            },
            &booking
        ),
        Ok(Asked::Cancellation {
            uid: "u-1".into(),
            sequence: 3
        })
    );
    let by_mallory = Envelope {
        from: &mallory,
        sender: None,
    };
    assert!(matches!(
        read(&cancel, None, &by_mallory, &booking),
        Err(ItipError::NotOrganizer { .. })
    ));
    // A REPLY answers for its sender only (Outlook's have no ORGANIZER to check).
    let reply = invitation(
        "mailto:book@kairos.example",
        &["Ada@Example.com"],
        "METHOD:REPLY\r\n",
    );
    let by_ada = Envelope {
        from: &ada,
        sender: None,
    };
    assert_eq!(
        read(&reply, None, &by_ada, &booking),
        Ok(Asked::Answer {
            uid: "u-1".into(),
            attendee: address("Ada@Example.com"),
            partstat: "NEEDS-ACTION".into(),
        })
    );
    assert_eq!(
        read(&reply, None, &by_mallory, &booking),
        Err(ItipError::NotAttendee("mallory@example.net".into()))
    );
}

#[test]
fn only_calendars_that_understand_a_counter_get_one() {
    let with = |prodid: &str, extra: &str| {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTAMP:20260302T120000Z\r\nDTSTART:20260303T150000Z\r\nDTEND:20260303T153000Z\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        counter_allowed(&CalendarObject::parse(&text).expect("valid"))
    };
    assert!(with("Microsoft Exchange Server 2010", ""));
    assert!(with(
        "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        ""
    ));
    assert!(with("-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN", ""));
    assert!(
        !with("Microsoft CDO for Microsoft Exchange", ""),
        "Exchange 2003"
    );
    assert!(!with("-//Google Inc//Google Calendar 70.9054//EN", ""));
    assert!(!with("-//Apple Inc.//macOS 14.4//EN", ""));
    assert!(!with(
        "Microsoft Exchange Server 2010",
        "X-MICROSOFT-DISALLOW-COUNTER:TRUE\r\n"
    ));
    assert!(!with(
        "Microsoft Exchange Server 2010",
        "RRULE:FREQ=WEEKLY\r\n"
    ));
}

#[test]
fn a_counter_is_a_proposal_only_from_one_of_the_attendees() {
    let object = invitation(
        "mailto:book@kairos.example",
        &["ada@example.com"],
        "METHOD:COUNTER\r\n",
    );
    let booking = address("book@kairos.example");
    let ada = address("ada@example.com");
    let asked = read(
        &object,
        Some("REPLY"),
        &Envelope {
            from: &ada,
            sender: None,
        },
        &booking,
    );
    assert_eq!(
        asked,
        Ok(Asked::Proposal {
            uid: "u-1".into(),
            attendee: address("ada@example.com"),
        })
    );
    let mallory = address("mallory@example.net");
    let forged = read(
        &object,
        None,
        &Envelope {
            from: &mallory,
            sender: None,
        },
        &booking,
    );
    assert_eq!(
        forged,
        Err(ItipError::NotAttendee("mallory@example.net".into()))
    );
}
