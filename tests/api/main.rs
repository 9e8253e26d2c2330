//! Integration tests through the real HTTP server on a random port, each with
//! its own database: SQLite always, PostgreSQL too when TEST_DATABASE_URL is
//! set (same test code). One binary, so the crate links once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod doubles;
mod fixtures;
mod handover_story;
mod helpers;

mod accounts;
mod auth;
mod availability;
mod bad_input;
mod browser;
mod cli;
mod counter;
mod credits;
mod dealerships;
mod desk;
mod desk_browser;
mod desk_browser_pages;
mod desk_check_in;
mod desk_counter;
mod desk_manager;
mod desk_pages;
mod estimate;
mod lifecycle;
mod lifetimes;
mod locked_reads;
mod migrations;
mod notify_delivery;
mod notify_rules;
mod notify_webhooks;
mod notify_worker;
mod ops;
mod payments_online;
mod repair_orders;
mod requests;
mod safe_writes;
mod staff;
mod status_page;
mod store;
mod stripe_double;
mod tax;
