//! Kairos: a self-hosted, calendar-native appointment-scheduling server for one host.
//!
//! The map of the crate (which module owns what, and which way dependencies point) is
//! the README's "Layout" section; pure modules (`domain`, `slots`, `learn`) never do
//! I/O or read the clock.

pub mod app;
pub mod config;
pub mod dav;
pub mod domain;
pub mod google;
pub mod http;
pub mod ical;
pub mod itip;
pub mod jobs;
pub mod learn;
pub mod mail;
pub mod nlp;
pub mod routes;
pub mod service;
pub mod slots;
pub mod store;
pub mod web;
