//! What became of each concern, told to the customer at handover.

use super::validation::string_enum;

string_enum!(
    /// Every concern gets one at handover, with a plain note.
    ConcernOutcome {
        Fixed => "fixed",
        Deferred => "deferred",
        Declined => "declined",
        CouldNotReproduce => "could_not_reproduce",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        for o in ConcernOutcome::ALL {
            assert_eq!(ConcernOutcome::parse(o.as_str()).unwrap(), *o);
        }
        assert!(ConcernOutcome::parse("maybe").is_err());
    }
}
