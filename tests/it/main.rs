//! The integration tests: one binary, a real server on loopback per test.

mod architecture;
mod bad_input;
mod booking_api;
mod booking_page;
mod browser;
mod caldav;
mod chat;
mod clients_api;
mod follow_ups;
mod google;
mod google_measure;
mod google_push;
mod imap;
mod invitations;
mod lifecycle;
mod mail;
mod manage_page;
mod offer_pages;
mod parse_time;
mod peers;
mod proposals;
mod reminder_crash;
mod reminders;
mod replies_in_words;
mod series;
mod support;
