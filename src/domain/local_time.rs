//! Times as a person at the dealership says them: "today at 6:00 PM",
//! "mañana a las 9:30". Always in the dealership's zone.

use super::language::Language;
use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_ES: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// The clock time alone: "6:00 PM" (en) or "18:00", "09:30", "00:31" (es:
/// the 24-hour clock, always two digits for the hour, as printed in Spain
/// and Latin America).
pub fn clock_time(t: DateTime<Utc>, tz: Tz, lang: Language) -> String {
    let local = t.with_timezone(&tz);
    match lang {
        Language::En => {
            let (pm, hour) = local.hour12();
            format!(
                "{hour}:{:02} {}",
                local.minute(),
                if pm { "PM" } else { "AM" }
            )
        }
        Language::Es => format!("{:02}:{:02}", local.hour(), local.minute()),
    }
}

/// The article before a Spanish clock time: "a la 01:15", "a las 13:00".
fn la(t: DateTime<Utc>, tz: Tz) -> &'static str {
    if t.with_timezone(&tz).hour() == 1 {
        "la"
    } else {
        "las"
    }
}

/// How far `t`'s local day is from today's, and its clock time, weekday
/// and month names in `lang`.
struct Day {
    days: i64,
    /// "la" or "las" before the time, in Spanish.
    la: &'static str,
    time: String,
    weekday: &'static str,
    month: &'static str,
    date: u32,
}

fn day(t: DateTime<Utc>, now: DateTime<Utc>, tz: Tz, lang: Language) -> Day {
    let d = t.with_timezone(&tz).date_naive();
    let weekday = d.weekday().num_days_from_monday() as usize;
    let month = d.month0() as usize;
    let (weekdays, months) = match lang {
        Language::En => (WEEKDAYS_EN, MONTHS_EN),
        Language::Es => (WEEKDAYS_ES, MONTHS_ES),
    };
    Day {
        days: (d - now.with_timezone(&tz).date_naive()).num_days(),
        la: la(t, tz),
        time: clock_time(t, tz, lang),
        weekday: weekdays[weekday],
        month: months[month],
        date: d.day(),
    }
}

/// "today at 6:00 PM", "tomorrow at 9:30 AM", "Friday at 4:00 PM",
/// "Mar 14 at 10:00 AM" — relative to `now`, in the dealership's zone.
pub fn describe(t: DateTime<Utc>, now: DateTime<Utc>, tz: Tz, lang: Language) -> String {
    let Day {
        days,
        la,
        time,
        weekday,
        month,
        date,
    } = day(t, now, tz, lang);
    match (lang, days) {
        (Language::En, 0) => format!("today at {time}"),
        (Language::En, 1) => format!("tomorrow at {time}"),
        (Language::En, 2..=6) => format!("{weekday} at {time}"),
        (Language::En, _) => format!("{month} {date} at {time}"),
        (Language::Es, 0) => format!("hoy a {la} {time}"),
        (Language::Es, 1) => format!("mañana a {la} {time}"),
        (Language::Es, 2..=6) => format!("el {weekday} a {la} {time}"),
        (Language::Es, _) => format!("el {date} de {month} a {la} {time}"),
    }
}

/// The end of a promise, as the customer reads it after "until": "6:00 PM
/// today", "9:00 AM tomorrow", "4:00 PM on Friday"; in Spanish after
/// "hasta": "las 18:00 de hoy", "las 09:00 de mañana", "las 16:00 del viernes".
pub fn describe_until(t: DateTime<Utc>, now: DateTime<Utc>, tz: Tz, lang: Language) -> String {
    let Day {
        days,
        la,
        time,
        weekday,
        month,
        date,
    } = day(t, now, tz, lang);
    match (lang, days) {
        (Language::En, 0) => format!("{time} today"),
        (Language::En, 1) => format!("{time} tomorrow"),
        (Language::En, 2..=6) => format!("{time} on {weekday}"),
        (Language::En, _) => format!("{time} on {month} {date}"),
        (Language::Es, 0) => format!("{la} {time} de hoy"),
        (Language::Es, 1) => format!("{la} {time} de mañana"),
        (Language::Es, 2..=6) => format!("{la} {time} del {weekday}"),
        (Language::Es, _) => format!("{la} {time} del {date} de {month}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chicago() -> Tz {
        "America/Chicago".parse().unwrap()
    }

    #[test]
    fn relative_days_in_the_dealerships_zone() {
        // Monday 2 March 2026, 09:00 in Chicago.
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
        let at = |h, m| Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap();
        assert_eq!(
            describe(at(23, 59), now, chicago(), Language::En),
            "today at 5:59 PM"
        );
        // 01:00 UTC Tuesday is still Monday evening in Chicago.
        let late = Utc.with_ymd_and_hms(2026, 3, 3, 1, 0, 0).unwrap();
        assert_eq!(
            describe(late, now, chicago(), Language::En),
            "today at 7:00 PM"
        );
        assert_eq!(
            describe(late, now, chicago(), Language::Es),
            "hoy a las 19:00"
        );
        let tue = Utc.with_ymd_and_hms(2026, 3, 3, 15, 30, 0).unwrap();
        assert_eq!(
            describe(tue, now, chicago(), Language::En),
            "tomorrow at 9:30 AM"
        );
        assert_eq!(
            describe(tue, now, chicago(), Language::Es),
            "mañana a las 09:30"
        );
        let fri = Utc.with_ymd_and_hms(2026, 3, 6, 22, 0, 0).unwrap();
        assert_eq!(
            describe(fri, now, chicago(), Language::En),
            "Friday at 4:00 PM"
        );
        assert_eq!(
            describe(fri, now, chicago(), Language::Es),
            "el viernes a las 16:00"
        );
        let later = Utc.with_ymd_and_hms(2026, 3, 14, 15, 0, 0).unwrap();
        assert_eq!(
            describe(later, now, chicago(), Language::En),
            "Mar 14 at 10:00 AM"
        );
        assert_eq!(
            describe(later, now, chicago(), Language::Es),
            "el 14 de marzo a las 10:00"
        );
        assert_eq!(clock_time(at(15, 0), chicago(), Language::En), "9:00 AM");
        let six = Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap();
        assert_eq!(
            describe_until(six, now, chicago(), Language::En),
            "6:00 PM today"
        );
        assert_eq!(
            describe_until(six, now, chicago(), Language::Es),
            "las 18:00 de hoy"
        );
        assert_eq!(
            describe_until(tue, now, chicago(), Language::En),
            "9:30 AM tomorrow"
        );
        assert_eq!(
            describe_until(fri, now, chicago(), Language::Es),
            "las 16:00 del viernes"
        );
    }

    #[test]
    fn spanish_small_hours_read_as_printed() {
        // Monday 2 March 2026, 09:00 in Chicago; Tuesday 00:31 and 01:15.
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
        let half_past_midnight = Utc.with_ymd_and_hms(2026, 3, 3, 6, 31, 0).unwrap();
        assert_eq!(
            describe(half_past_midnight, now, chicago(), Language::Es),
            "mañana a las 00:31"
        );
        assert_eq!(
            describe(half_past_midnight, now, chicago(), Language::En),
            "tomorrow at 12:31 AM"
        );
        let quarter_past_one = Utc.with_ymd_and_hms(2026, 3, 3, 7, 15, 0).unwrap();
        assert_eq!(
            describe(quarter_past_one, now, chicago(), Language::Es),
            "mañana a la 01:15"
        );
        assert_eq!(
            describe_until(quarter_past_one, now, chicago(), Language::Es),
            "la 01:15 de mañana"
        );
    }
}
