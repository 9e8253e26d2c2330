//! Work at a time: `schedule` writes jobs (a leaf: anything may call it),
//! `run` runs them (the top: it calls the use cases), `purge` removes what
//! has outlived its purpose.

mod purge;
mod run;
pub(crate) mod schedule;
