//! What a message template can say. One struct for every message, so the
//! start-up check renders each template with the same shape real messages
//! have, and an undefined variable is caught before any customer sees it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct MessageContext {
    pub dealership: DealershipCtx,
    pub customer: PersonCtx,
    pub advisor: PersonCtx,
    pub ro: RoCtx,
    pub estimate: EstimateCtx,
    pub money: MoneyCtx,
    /// Who hands the car over, once it is ready.
    pub handover: Option<HandoverCtx>,
    /// Why the promised time changed.
    pub reason: Option<String>,
    pub concerns: Vec<ConcernCtx>,
    /// The customer's message (to staff) or the advisor's reply (to them).
    pub message: Option<String>,
    /// What the customer decided on the estimate, in words.
    pub decision: Option<String>,
    /// When an answer to the customer is due, in words.
    pub due: Option<String>,
    /// How long the customer has waited, in words.
    pub waited: Option<String>,
    /// When the car can next be picked up, in words (nobody there now).
    pub next_pickup: Option<String>,
    /// The staff member a staff message is for.
    pub recipient: PersonCtx,
    pub failure: Option<FailureCtx>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct DealershipCtx {
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct PersonCtx {
    pub name: String,
    pub first_name: String,
    pub phone: Option<String>,
}

impl PersonCtx {
    pub fn new(name: &str, phone: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            first_name: name.split_whitespace().next().unwrap_or(name).to_owned(),
            phone: phone.map(str::to_owned),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RoCtx {
    pub number: i64,
    /// "2019 Honda Accord".
    pub vehicle: String,
    pub status: String,
    /// When it is promised, in words: "today at 6:00 PM".
    pub promised: String,
    pub status_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct EstimateCtx {
    pub lines: Vec<LineCtx>,
    pub subtotal: String,
    pub tax: String,
    pub total: String,
    /// Empty when warranty covers nothing.
    pub warranty: String,
    /// How many lines wait for the customer's yes or no.
    pub pending: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct LineCtx {
    pub description: String,
    pub amount: String,
    /// customer, warranty or internal.
    pub payer: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct MoneyCtx {
    pub total: String,
    pub paid: String,
    pub balance_due: String,
    pub balance_due_cents: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct HandoverCtx {
    pub name: String,
    pub first_name: String,
    /// "6:00 PM today", or empty while no end is known.
    pub until: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ConcernCtx {
    pub description: String,
    /// fixed, deferred, declined or could_not_reproduce.
    pub outcome: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct FailureCtx {
    /// The message that failed (its template name).
    pub kind: String,
    pub channel: String,
    pub to: String,
    pub error: String,
    /// The channel used instead, if any.
    pub fallback: Option<String>,
}

impl MessageContext {
    /// Every field filled with the longest values a real dealership is
    /// likely to produce: the start-up check renders every template with
    /// it, and the segment test proves every text still fits two segments.
    pub fn sample_long() -> Self {
        let long_name = "Maximiliano Alejandro de la Fuente-Hernandez";
        MessageContext {
            dealership: DealershipCtx {
                name: "Lakeside Toyota of North Chicago Service Center".into(),
                phone: "+13125550100".into(),
            },
            customer: PersonCtx::new(long_name, Some("+13125550142")),
            advisor: PersonCtx::new("Guadalupe Evangelina Rodriguez", Some("+13125550101")),
            ro: RoCtx {
                number: 1_234_567,
                vehicle: "2024 Mercedes-Benz GLE 450 4MATIC SUV".into(),
                status: "waiting_parts".into(),
                promised: "el miércoles a las 12:30".into(),
                status_url: Some("https://service.lakeside-toyota.example/s/AbCdEfGhIjKlMnOpQrStUv".into()),
            },
            estimate: EstimateCtx {
                lines: vec![LineCtx {
                    description: "Replace front brake pads and resurface rotors, both sides".into(),
                    amount: "$1,234.56".into(),
                    payer: "warranty".into(),
                }],
                subtotal: "$12,345.67".into(),
                tax: "$1,018.52".into(),
                total: "$13,364.19".into(),
                warranty: "$10,234.56".into(),
                pending: 3,
            },
            money: MoneyCtx {
                total: "$13,364.19".into(),
                paid: "$13,364.19".into(),
                balance_due: "$13,364.19".into(),
                balance_due_cents: 1_336_419,
            },
            handover: Some(HandoverCtx {
                name: "Guadalupe Evangelina Rodriguez".into(),
                first_name: "Guadalupe".into(),
                until: "las 12:30 del miércoles".into(),
            }),
            reason: Some(
                "The replacement transmission control module was back-ordered by the manufacturer and now arrives on the morning truck"
                    .into(),
            ),
            concerns: vec![
                ConcernCtx {
                    description: "Brakes squeal and grind when stopping at low speed".into(),
                    outcome: "fixed".into(),
                    note: "New pads and rotors.".into(),
                },
                ConcernCtx {
                    description: "Check engine light comes on after highway driving".into(),
                    outcome: "could_not_reproduce".into(),
                    note: "No codes stored.".into(),
                },
            ],
            message: Some("Hi, can you also check why the passenger window makes a clicking noise when it goes down? I need the car by 5 for my daughter's game, is that still possible? Thanks so much".into()),
            decision: Some("approved 2 and declined 1 line(s)".into()),
            due: Some("tomorrow at 10:45 AM".into()),
            waited: Some("4 hours".into()),
            next_pickup: Some("el miércoles a las 12:30".into()),
            recipient: PersonCtx::new("Maria Chen", Some("+13125550104")),
            failure: Some(FailureCtx {
                kind: "promised_changed".into(),
                channel: "sms".into(),
                to: "+13125550142".into(),
                error: "Twilio 21610: the recipient has opted out of messages from this number".into(),
                fallback: Some("email".into()),
            }),
        }
    }
}
