//! Manage tokens are kept under their digest, and a store written under the tokens
//! themselves is rekeyed when opened.

use chrono_tz::America::New_York;

use super::tests::{at, book};
use super::*;

#[test]
fn a_manage_token_is_stored_only_as_its_digest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path(), New_York).expect("opens");
    let booked = book(&store, 1, at(10, 0)).expect("free");
    let token = booked.appointment.manage_token.as_str().to_string();
    let keys: Vec<Vec<u8>> = store
        .tokens
        .iter()
        .keys()
        .map(|key| key.expect("reads").to_vec())
        .collect();
    assert_eq!(keys, vec![keys::token(&token).to_vec()]);
    assert_eq!(
        store.appointment_by_token(&token).expect("reads"),
        Some(booked.appointment)
    );
    let mut wrong = token.into_bytes();
    wrong[51] = if wrong[51] == b'a' { b'b' } else { b'a' };
    let wrong = String::from_utf8(wrong).expect("ascii");
    assert_eq!(store.appointment_by_token(&wrong).expect("reads"), None);
}

#[test]
fn tokens_stored_under_themselves_are_rekeyed_by_digest_on_open() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token;
    let appointment;
    {
        let store = Store::open(dir.path(), New_York).expect("opens");
        appointment = book(&store, 2, at(11, 0)).expect("free").appointment;
        token = appointment.manage_token.as_str().to_string();
        // The layout of earlier versions: the token itself as the key.
        store.tokens.clear().expect("clears");
        store
            .tokens
            .insert(token.as_bytes(), appointment.id.as_str().as_bytes())
            .expect("writes");
        assert_eq!(store.appointment_by_token(&token).expect("reads"), None);
        store.tokens.flush().expect("flushes");
    }
    let store = Store::open(dir.path(), New_York).expect("reopens");
    assert_eq!(
        store.appointment_by_token(&token).expect("reads"),
        Some(appointment)
    );
    assert!(store.tokens.get(token.as_bytes()).expect("reads").is_none());
}
