//! Kairos: a self-hosted, calendar-native appointment-scheduling server for one host.
//!
//! The map of the crate (which module owns what, and which way dependencies point) is
//! drawn in the README's "Layout" section.

pub mod config;
pub mod domain;
pub mod learn;
pub mod slots;
pub mod store;
pub mod service;
