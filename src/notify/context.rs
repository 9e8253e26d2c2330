//! What a message template can say. One struct for every message, so the
//! start-up check renders each template with the same shape real messages
//! have, and an undefined variable is caught before any customer sees it.

use crate::domain::language::Language;
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
    /// A link the message hands over (the desk invitation).
    pub link: Option<String>,
    pub failure: Option<FailureCtx>,
    /// A payment the customer made from their phone.
    pub payment: Option<PaymentCtx>,
    /// Money owed back to the customer, and how it goes back.
    pub credit: Option<CreditCtx>,
    /// A colleague's request, for staff messages about it.
    pub request: Option<RequestCtx>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RequestCtx {
    /// Who asked.
    pub from: String,
    /// Who has it.
    pub to: String,
    pub text: String,
    /// "order 1003", or empty when it is about no RO.
    pub about: String,
    /// When an answer is due, in words.
    pub due: String,
    pub answer: String,
    /// Why it was handed on, if it was.
    pub note: String,
    /// How long it has waited, in words.
    pub waited: String,
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

/// The estimate as messages tell it: the customer's jobs (declined ones
/// left out), what is covered for them, and the bill if they approve every
/// job still waiting.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct EstimateCtx {
    /// Customer-pay jobs, not declined.
    pub jobs: Vec<JobCtx>,
    /// Warranty and internal jobs.
    pub covered: Vec<JobCtx>,
    pub subtotal: String,
    /// Empty without a shop-supplies fee.
    pub shop_supplies: String,
    /// The RO's discount; empty without one.
    pub discount: String,
    pub tax: String,
    /// "8.25%".
    pub tax_rate: String,
    /// What the customer pays if they approve every job still waiting.
    pub total: String,
    /// What they pay for what they approved so far.
    pub approved_total: String,
    /// What warranty and the dealership cover; empty when nothing is.
    pub covered_total: String,
    /// How many jobs wait for the customer's yes or no.
    pub pending: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct JobCtx {
    pub title: String,
    /// The job's lines less its discount.
    pub amount: String,
    /// customer, warranty or internal.
    pub payer: String,
    /// pending, approved, not_required.
    pub approval: String,
    pub lines: Vec<LineCtx>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct LineCtx {
    pub description: String,
    pub amount: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct MoneyCtx {
    pub total: String,
    pub paid: String,
    pub balance_due: String,
    pub balance_due_cents: i64,
    /// Whether the customer can pay from their status link.
    pub pay_online: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct PaymentCtx {
    pub amount: String,
    /// What was due when it was paid, if that was not the amount paid
    /// (the bill changed while the customer was paying).
    pub expected: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct CreditCtx {
    pub amount: String,
    pub reason: String,
    /// What goes back to the card used online; empty when nothing does.
    pub to_card: String,
    /// What the cashier pays back at the counter; empty when nothing.
    pub at_counter: String,
    /// How the money came at the counter, in words ("cash", "card"), for staff.
    pub counter_method: String,
    /// Why an online refund went to the counter instead, if it did.
    pub error: Option<String>,
    /// For a tax correction, the rate charged and the right one ("10.25%",
    /// "9.75%"), so the customer reads the reason in their language; empty
    /// otherwise.
    pub tax_from: String,
    pub tax_to: String,
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
    /// `sample_long` with the times in `lang`'s words and, for Spanish,
    /// names with the accents that make a text UCS-2 (70 characters a
    /// segment): the worst case the segment budget must hold for.
    pub fn sample_long_in(lang: Language) -> Self {
        let mut c = Self::sample_long();
        if lang == Language::Es {
            let far = "el 30 de septiembre a las 12:30";
            c.dealership.name = "Autos Martínez de San José Service Center".into();
            c.customer = PersonCtx::new(
                "Ramón Alejandro de la Fuente-Hernández",
                Some("+13125550142"),
            );
            c.advisor = PersonCtx::new("Maximiliano Rodríguez", Some("+13125550101"));
            c.ro.promised = far.into();
            c.next_pickup = Some(far.into());
            if let Some(h) = c.handover.as_mut() {
                *h = HandoverCtx {
                    name: "Maximiliano Rodríguez".into(),
                    first_name: "Maximiliano".into(),
                    until: "las 12:30 del 30 de septiembre".into(),
                };
            }
            c.reason = Some("El módulo de control de la transmisión llega mañana en el camión de la mañana, no hoy como esperábamos".into());
            c.message = Some("Hola, ¿pueden revisar también por qué la ventana del pasajero hace un ruido al bajar? Necesito el auto a las 5 para el partido de mi hija, ¿todavía es posible? Muchas gracias".into());
        }
        c
    }

    /// Every field filled with the longest values a real dealership is
    /// likely to produce, in English: the start-up check renders every
    /// template with it (`sample_long_in` for each language), and the
    /// segment test proves every text fits its budget.
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
                promised: "Wednesday at 12:30 PM".into(),
                status_url: Some("https://service.lakeside-toyota.example/s/AbCdEfGhIjKlMnOpQrStUv".into()),
            },
            estimate: sample_estimate(),
            money: MoneyCtx {
                total: "$13,364.19".into(),
                paid: "$13,364.19".into(),
                balance_due: "$13,364.19".into(),
                balance_due_cents: 1_336_419,
                pay_online: true,
            },
            handover: Some(HandoverCtx {
                name: "Guadalupe Evangelina Rodriguez".into(),
                first_name: "Guadalupe".into(),
                until: "12:30 PM on Wednesday".into(),
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
            decision: Some("approved 2 jobs and declined 1".into()),
            due: Some("tomorrow at 10:45 AM".into()),
            waited: Some("4 hours".into()),
            next_pickup: Some("Wednesday at 12:30 PM".into()),
            recipient: PersonCtx::new("Maria Chen", Some("+13125550104")),
            link: Some("https://service.lakeside-toyota.example/desk/invite/hov_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfG".into()),
            failure: Some(FailureCtx {
                kind: "promised_changed".into(),
                channel: "sms".into(),
                to: "+13125550142".into(),
                error: "Twilio 21610: the recipient has opted out of messages from this number".into(),
                fallback: Some("email".into()),
            }),
            ..sample_money_and_requests()
        }
    }
}

/// The payment, credit and request parts of `sample_long`.
fn sample_money_and_requests() -> MessageContext {
    MessageContext {
            payment: Some(PaymentCtx {
            amount: "$13,364.19".into(),
            expected: Some("$13,012.44".into()),
        }),
        credit: Some(CreditCtx {
            amount: "$1,102.57".into(),
            reason: "Sales tax was charged at 10.25% instead of the county's 9.75% on parts and labor".into(),
            to_card: "$1,002.57".into(),
            at_counter: "$100.00".into(),
            counter_method: "card at the counter".into(),
            error: Some("Stripe answered 400: Charge ch_3Qabc has already been refunded.".into()),
            tax_from: "10.25%".into(),
            tax_to: "9.75%".into(),
        }),
        request: Some(RequestCtx {
            from: "Guadalupe Evangelina Rodriguez".into(),
            to: "Maximiliano Alejandro de la Fuente-Hernandez".into(),
            text: "Did the customer approve the rear rotors on the phone, or only the pads? The invoice shows both and she is asking at the counter".into(),
            about: "order 1234567".into(),
            due: "tomorrow at 10:45 AM".into(),
            answer: "Only the pads. She declined the rotors on the phone at 11:20; it is in my notes. Please take the rotors off the invoice".into(),
            note: "Parts question: Sam ordered them".into(),
            waited: "2 hours".into(),
        }),
        ..MessageContext::default()
    }
}

/// Two jobs for the customer (one still waiting), one under warranty.
fn sample_estimate() -> EstimateCtx {
    EstimateCtx {
        jobs: vec![
            JobCtx {
                title: "Replace the front brake pads and resurface the rotors, both sides".into(),
                amount: "$1,234.56".into(),
                payer: "customer".into(),
                approval: "pending".into(),
                lines: vec![
                    LineCtx {
                        description: "Brake pad replacement and rotor resurfacing".into(),
                        amount: "$270.00".into(),
                    },
                    LineCtx {
                        description: "Front brake pads (set)".into(),
                        amount: "$159.50".into(),
                    },
                ],
            },
            JobCtx {
                title: "Replace the cabin air filter".into(),
                amount: "$89.95".into(),
                payer: "customer".into(),
                approval: "approved".into(),
                lines: vec![LineCtx {
                    description: "Cabin air filter".into(),
                    amount: "$89.95".into(),
                }],
            },
        ],
        covered: vec![JobCtx {
            title: "Replace the oxygen sensor under the powertrain warranty".into(),
            amount: "$10,234.56".into(),
            payer: "warranty".into(),
            approval: "not_required".into(),
            lines: vec![LineCtx {
                description: "Oxygen sensor".into(),
                amount: "$89.00".into(),
            }],
        }],
        subtotal: "$12,345.67".into(),
        shop_supplies: "$35.00".into(),
        discount: "$1,000.00".into(),
        tax: "$1,018.52".into(),
        tax_rate: "10.25%".into(),
        total: "$13,364.19".into(),
        approved_total: "$11,364.19".into(),
        covered_total: "$10,234.56".into(),
        pending: 3,
    }
}
