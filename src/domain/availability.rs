//! Who is there, and until when. Weekly shifts in the dealership's local
//! time, time off, and live presence (clocked in, on a break, clocked out)
//! answer one question: can this person hand a car over from now until at
//! least a given time? Daylight-saving days are handled by working in the
//! dealership's zone and converting each shift's ends on its own date.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// One weekly shift, "mon 08:00–17:00". Ends after it starts, same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyShift {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Time off, from–to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leave {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// What the person last told us by clocking in, out, or going on a break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    Off { since: Option<DateTime<Utc>> },
    OnDuty,
    OnBreak { until: DateTime<Utc> },
}

/// Everything known about one person's time.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub live: Live,
    pub shifts: Vec<WeeklyShift>,
    pub leave: Vec<Leave>,
}

/// The answer for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// There now, until then (`None`: no schedule, so no known end).
    Available { until: Option<DateTime<Utc>> },
    Unavailable {
        reason: String,
        /// When they are next expected to be there for a whole window.
        next_available_at: Option<DateTime<Utc>>,
    },
}

/// Converts a local date and time to UTC on that date: a time skipped by
/// spring-forward moves to the first valid minute after it; a repeated one
/// (fall-back) takes the earlier instant for a start, the later for an end.
fn at(tz: Tz, date: NaiveDate, time: NaiveTime, is_end: bool) -> DateTime<Utc> {
    let mut local = date.and_time(time);
    for _ in 0..240 {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(early, late) => {
                return if is_end { late } else { early }.with_timezone(&Utc);
            }
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&local)
}

/// The shifts that happen between `from` and `days` later, as UTC intervals.
pub fn occurrences(
    shifts: &[WeeklyShift],
    tz: Tz,
    from: DateTime<Utc>,
    days: i64,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let first = from.with_timezone(&tz).date_naive() - Duration::days(1);
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = (0..=days + 1)
        .map(|d| first + Duration::days(d))
        .flat_map(|date| {
            shifts
                .iter()
                .filter(move |s| s.weekday == date.weekday())
                .map(move |s| (at(tz, date, s.start, false), at(tz, date, s.end, true)))
        })
        .filter(|(start, end)| *end > from && start < end)
        .collect();
    out.sort();
    out
}

/// "17:00" today, "Tue 08:00" on another day, in the dealership's zone.
pub fn local_words(t: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> String {
    let local = t.with_timezone(&tz);
    if local.date_naive() == now.with_timezone(&tz).date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%a %d %b %H:%M").to_string()
    }
}

impl Schedule {
    fn leave_at(&self, t: DateTime<Utc>) -> Option<&Leave> {
        self.leave.iter().find(|l| l.from <= t && t < l.to)
    }

    /// Can this person hand a car over from `now` for at least `window`?
    pub fn availability(&self, now: DateTime<Utc>, tz: Tz, window: Duration) -> Availability {
        // From a day back, so the shift that just ended is known too.
        let shifts = occurrences(&self.shifts, tz, now - Duration::days(1), 15);
        let current = shifts.iter().find(|(s, e)| *s <= now && now < *e).copied();
        let unavailable = |reason: String| Availability::Unavailable {
            reason,
            next_available_at: self.next_available(now, tz, window, &shifts),
        };
        if let Some(l) = self.leave_at(now) {
            return unavailable(format!("on leave until {}", local_words(l.to, now, tz)));
        }
        match self.live {
            Live::OnBreak { until } => {
                return unavailable(format!("on break until {}", local_words(until, now, tz)));
            }
            Live::Off { since: Some(s) } => {
                return unavailable(format!("off since {}", local_words(s, now, tz)));
            }
            Live::Off { since: None } => return unavailable("not clocked in".into()),
            Live::OnDuty => {}
        }
        // Clocked in. With a schedule, the shift says until when; clocked in
        // outside every shift means they forgot to clock out.
        let mut until = match (self.shifts.is_empty(), current) {
            (true, _) => None,
            (false, Some((_, end))) => Some(end),
            (false, None) => {
                let ended = shifts
                    .iter()
                    .rev()
                    .find(|(_, e)| *e <= now)
                    .map(|(_, e)| *e);
                return unavailable(match ended {
                    Some(e) => format!("off since {} (end of shift)", local_words(e, now, tz)),
                    None => "not on a shift now".into(),
                });
            }
        };
        if let Some(next_leave) = self
            .leave
            .iter()
            .filter(|l| l.from > now)
            .map(|l| l.from)
            .min()
            && until.is_none_or(|u| next_leave < u)
        {
            until = Some(next_leave);
        }
        match until {
            Some(u) if u - now < window => unavailable(format!(
                "on duty only until {} (a handover needs {} minutes)",
                local_words(u, now, tz),
                window.num_minutes()
            )),
            _ => Availability::Available { until },
        }
    }

    /// The first moment they are expected to be there for a whole window:
    /// the end of a break, or the start of a coming shift, outside leave.
    fn next_available(
        &self,
        now: DateTime<Utc>,
        tz: Tz,
        window: Duration,
        shifts: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Option<DateTime<Utc>> {
        let _ = tz;
        let mut candidates: Vec<DateTime<Utc>> = Vec::new();
        if let Live::OnBreak { until } = self.live {
            let shift_end = shifts
                .iter()
                .find(|(s, e)| *s <= until && until < *e)
                .map(|(_, e)| *e);
            if self.shifts.is_empty() || shift_end.is_some_and(|e| e - until >= window) {
                candidates.push(until);
            }
        }
        for (start, end) in shifts {
            let from = (*start).max(now + Duration::minutes(1));
            if *start <= now {
                continue; // the shift under way: they are not there now
            }
            // Skip past leave that covers the shift start.
            let from = match self.leave_at(from) {
                Some(l) => l.to,
                None => from,
            };
            if from < *end && *end - from >= window {
                candidates.push(from);
            }
        }
        candidates
            .into_iter()
            .filter(|t| self.leave_at(*t).is_none())
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chicago() -> Tz {
        "America/Chicago".parse().unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(mo: u32, d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, mo, d, h, m, 0).unwrap()
    }

    fn weekdays(start: NaiveTime, end: NaiveTime) -> Vec<WeeklyShift> {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]
        .into_iter()
        .map(|weekday| WeeklyShift {
            weekday,
            start,
            end,
        })
        .collect()
    }

    fn on_duty(shifts: Vec<WeeklyShift>) -> Schedule {
        Schedule {
            live: Live::OnDuty,
            shifts,
            leave: vec![],
        }
    }

    const W: i64 = 30;

    #[test]
    fn on_shift_until_its_end() {
        let s = on_duty(weekdays(t(8, 0), t(17, 0)));
        // Monday 2 March 2026, 10:00 in Chicago (16:00Z); the shift ends 17:00 (23:00Z).
        assert_eq!(
            s.availability(utc(3, 2, 16, 0), chicago(), Duration::minutes(W)),
            Availability::Available {
                until: Some(utc(3, 2, 23, 0))
            }
        );
    }

    #[test]
    fn ten_minutes_before_the_end_is_too_late() {
        let s = on_duty(weekdays(t(8, 0), t(17, 0)));
        let Availability::Unavailable {
            reason,
            next_available_at,
        } = s.availability(utc(3, 2, 22, 50), chicago(), Duration::minutes(W))
        else {
            panic!("should be refused")
        };
        assert_eq!(
            reason,
            "on duty only until 17:00 (a handover needs 30 minutes)"
        );
        assert_eq!(next_available_at, Some(utc(3, 3, 14, 0)), "Tuesday 08:00");
    }

    #[test]
    fn breaks_leave_and_clocking_out() {
        let mut s = on_duty(weekdays(t(8, 0), t(17, 0)));
        s.live = Live::OnBreak {
            until: utc(3, 2, 20, 30),
        };
        let a = s.availability(utc(3, 2, 20, 0), chicago(), Duration::minutes(W));
        assert_eq!(
            a,
            Availability::Unavailable {
                reason: "on break until 14:30".into(),
                next_available_at: Some(utc(3, 2, 20, 30))
            }
        );
        s.live = Live::Off {
            since: Some(utc(3, 2, 19, 0)),
        };
        assert!(
            matches!(s.availability(utc(3, 2, 20, 0), chicago(), Duration::minutes(W)),
            Availability::Unavailable { reason, .. } if reason == "off since 13:00")
        );
        s.live = Live::OnDuty;
        s.leave = vec![Leave {
            from: utc(3, 2, 14, 0),
            to: utc(3, 4, 14, 0),
        }];
        assert!(
            matches!(s.availability(utc(3, 2, 20, 0), chicago(), Duration::minutes(W)),
            Availability::Unavailable { reason, next_available_at } if reason.starts_with("on leave until Wed") && next_available_at == Some(utc(3, 4, 14, 0)))
        );
        // Leave that starts later today cuts the day short.
        s.leave = vec![Leave {
            from: utc(3, 2, 21, 0),
            to: utc(3, 3, 0, 0),
        }];
        assert_eq!(
            s.availability(utc(3, 2, 16, 0), chicago(), Duration::minutes(W)),
            Availability::Available {
                until: Some(utc(3, 2, 21, 0))
            }
        );
    }

    #[test]
    fn clocked_in_after_the_shift_is_a_forgotten_clock_out() {
        let s = on_duty(weekdays(t(8, 0), t(17, 0)));
        assert!(
            matches!(s.availability(utc(3, 2, 23, 30), chicago(), Duration::minutes(W)),
            Availability::Unavailable { reason, .. } if reason == "off since 17:00 (end of shift)")
        );
    }

    #[test]
    fn without_a_schedule_presence_alone_decides() {
        let s = on_duty(vec![]);
        assert_eq!(
            s.availability(utc(3, 2, 16, 0), chicago(), Duration::minutes(W)),
            Availability::Available { until: None }
        );
    }

    #[test]
    fn several_shifts_a_day() {
        let s = on_duty(vec![
            WeeklyShift {
                weekday: Weekday::Mon,
                start: t(8, 0),
                end: t(12, 0),
            },
            WeeklyShift {
                weekday: Weekday::Mon,
                start: t(13, 0),
                end: t(18, 0),
            },
        ]);
        assert_eq!(
            s.availability(utc(3, 2, 20, 0), chicago(), Duration::minutes(W)),
            Availability::Available {
                until: Some(utc(3, 3, 0, 0))
            }
        );
        let lunch = s.availability(utc(3, 2, 18, 30), chicago(), Duration::minutes(W));
        assert!(
            matches!(lunch, Availability::Unavailable { next_available_at: Some(n), .. } if n == utc(3, 2, 19, 0))
        );
    }

    #[test]
    fn daylight_saving_days_in_chicago() {
        // Sunday 8 March 2026: 02:00 CST jumps to 03:00 CDT.
        let sunday_night = vec![WeeklyShift {
            weekday: Weekday::Sun,
            start: t(0, 0),
            end: t(8, 0),
        }];
        let occ = occurrences(&sunday_night, chicago(), utc(3, 8, 5, 0), 1);
        assert_eq!(
            occ[0],
            (utc(3, 8, 6, 0), utc(3, 8, 13, 0)),
            "a 7-hour night"
        );
        // Sunday 1 November 2026: 02:00 CDT falls back to 01:00 CST.
        let occ = occurrences(&sunday_night, chicago(), utc(11, 1, 4, 0), 1);
        assert_eq!(
            occ[0],
            (utc(11, 1, 5, 0), utc(11, 1, 14, 0)),
            "a 9-hour night"
        );
        // A start at 02:30 on spring-forward day does not exist: it begins at 03:00 CDT.
        let odd = vec![WeeklyShift {
            weekday: Weekday::Sun,
            start: t(2, 30),
            end: t(9, 0),
        }];
        assert_eq!(
            occurrences(&odd, chicago(), utc(3, 8, 5, 0), 1)[0].0,
            utc(3, 8, 8, 0)
        );
        // An end at 01:30 on fall-back day happens twice: the later one counts.
        let late = vec![WeeklyShift {
            weekday: Weekday::Sun,
            start: t(0, 0),
            end: t(1, 30),
        }];
        assert_eq!(
            occurrences(&late, chicago(), utc(11, 1, 4, 0), 1)[0].1,
            utc(11, 1, 7, 30)
        );
        // Until-times across the switch: on duty at 01:00 CST, the shift ends 08:00 CDT.
        let s = on_duty(sunday_night);
        assert_eq!(
            s.availability(utc(3, 8, 7, 0), chicago(), Duration::minutes(W)),
            Availability::Available {
                until: Some(utc(3, 8, 13, 0))
            }
        );
    }
}
