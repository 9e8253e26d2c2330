use super::*;
use crate::domain::message::Audience;
use crate::domain::sms::{Encoding, segments};

fn templates() -> Templates {
    Templates::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config/templates")).unwrap()
}

/// Most segments a text may take with the longest realistic values:
/// English stays GSM-7 within two; Spanish, spelled with its accents
/// (UCS-2 as soon as a name or a word has á, í, ó or ú), within three.
fn budget(lang: Language) -> usize {
    match lang {
        Language::En => 2,
        Language::Es => 3,
    }
}

/// Every text's segments in both languages, as the table in
/// config/templates/README.md shows them.
fn segment_table(t: &Templates) -> Vec<String> {
    let mut rows = Vec::new();
    for kind in MessageKind::ALL.iter().copied() {
        if kind.audience() == Audience::Staff {
            continue;
        }
        let cell = |lang: Language| {
            let sms = t
                .render(lang, kind, &MessageContext::sample_long_in(lang))
                .unwrap()
                .sms;
            let s = segments(&sms);
            let enc = match s.encoding {
                Encoding::Gsm7 => "GSM-7",
                Encoding::Ucs2 => "UCS-2",
            };
            format!("{} ({enc}, {} units)", s.count, s.units)
        };
        rows.push(format!(
            "| {kind} | {} | {} |",
            cell(Language::En),
            cell(Language::Es)
        ));
    }
    rows
}

/// The promise of config/templates/README.md: every customer text fits
/// its budget with the longest realistic values; staff texts (English)
/// fit two GSM-7 segments.
#[test]
fn every_text_fits_its_segments_with_long_values() {
    let t = templates();
    let mut too_long = Vec::new();
    for lang in LANGUAGES {
        let sample = MessageContext::sample_long_in(lang);
        for kind in MessageKind::ALL.iter().copied() {
            let staff = kind.audience() == Audience::Staff;
            if staff && lang != Language::En {
                continue;
            }
            let sms = t.render(lang, kind, &sample).unwrap().sms;
            let s = segments(&sms);
            println!(
                "{}/{kind}: {} {:?} units, {} segment(s): {sms}",
                lang.code(),
                s.units,
                s.encoding,
                s.count
            );
            let english_gsm = lang == Language::En && s.encoding == Encoding::Gsm7;
            if s.count > budget(lang) || (lang == Language::En && !english_gsm) {
                too_long.push(format!(
                    "{}/{kind} ({} {:?} units):\n{sms}",
                    lang.code(),
                    s.units,
                    s.encoding
                ));
            }
            assert!(!sms.contains("{{") && !sms.contains("{%"), "{sms}");
        }
    }
    assert!(too_long.is_empty(), "over budget:\n{}", too_long.join("\n"));
}

#[test]
fn the_readme_table_shows_the_real_counts() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/templates/README.md"),
    )
    .unwrap();
    let rows = segment_table(&templates());
    let missing: Vec<&String> = rows
        .iter()
        .filter(|r| !readme.contains(r.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "config/templates/README.md should hold these rows:\n{}",
        rows.join("\n")
    );
}

#[test]
fn spanish_is_spelled_with_its_accents() {
    let t = templates();
    let ctx = MessageContext::sample_long_in(Language::Es);
    let ready = t.render(Language::Es, MessageKind::Ready, &ctx).unwrap();
    assert!(ready.sms.contains("Su auto está listo"), "{}", ready.sms);
    let paid = t.render(Language::Es, MessageKind::PickedUp, &ctx).unwrap();
    assert!(paid.sms.contains("Pagó $13,364.19"), "{}", paid.sms);
    let checked_in = t
        .render(Language::Es, MessageKind::CheckedIn, &ctx)
        .unwrap();
    assert!(
        checked_in.sms.contains("Le atiende Maximiliano"),
        "{}",
        checked_in.sms
    );
    assert!(
        checked_in.sms.contains("BAJA"),
        "the hint names a Spanish word: {}",
        checked_in.sms
    );
    for kind in MessageKind::ALL.iter().copied() {
        if kind.audience() == Audience::Staff {
            continue;
        }
        let r = t.render(Language::Es, kind, &ctx).unwrap();
        for wrong in [
            "Estara ",
            "aqui",
            "garantia",
            "entregara",
            "RO ",
            "asesor es",
        ] {
            assert!(
                !r.sms.contains(wrong) && !r.text.contains(wrong),
                "{kind}: {wrong:?} in {}",
                r.sms
            );
        }
    }
}

#[test]
fn customer_texts_speak_plainly() {
    let t = templates();
    for lang in LANGUAGES {
        let ctx = MessageContext::sample_long_in(lang);
        for kind in MessageKind::ALL.iter().copied() {
            if kind.audience() == Audience::Staff {
                continue;
            }
            let r = t.render(lang, kind, &ctx).unwrap();
            for shop_word in ["RO ", "concern", "(s)", "line(s)"] {
                assert!(
                    !r.sms.contains(shop_word),
                    "{kind}/{lang:?}: {shop_word:?} in {}",
                    r.sms
                );
                assert!(
                    !r.text.contains(shop_word),
                    "{kind}/{lang:?}: {shop_word:?} in {}",
                    r.text
                );
            }
        }
    }
    let staff = t
        .render(
            Language::En,
            MessageKind::StaffCustomerMessage,
            &MessageContext::sample_long(),
        )
        .unwrap();
    assert!(
        !staff.sms.contains("POST") && !staff.sms.contains('/'),
        "{}",
        staff.sms
    );
}

#[test]
fn plurals_are_real() {
    let t = templates();
    let mut ctx = MessageContext::sample_long();
    ctx.estimate.pending = 1;
    let one = t.render(Language::En, MessageKind::Estimate, &ctx).unwrap();
    assert!(one.sms.contains("to 1 job before"), "{}", one.sms);
    ctx.estimate.pending = 2;
    let two = t.render(Language::En, MessageKind::Estimate, &ctx).unwrap();
    assert!(two.sms.contains("to 2 jobs before"), "{}", two.sms);
    let mut es = MessageContext::sample_long_in(Language::Es);
    es.concerns.truncate(1);
    es.concerns[0].outcome = "fixed".into();
    let fixed = t.render(Language::Es, MessageKind::PickedUp, &es).unwrap();
    assert!(
        fixed.sms.contains("Reparamos el problema que nos contó"),
        "{}",
        fixed.sms
    );
    let en = t
        .render(
            Language::En,
            MessageKind::PickedUp,
            &MessageContext::sample_long(),
        )
        .unwrap();
    assert!(
        en.sms.contains("We fixed 1 of the 2 problems"),
        "{}",
        en.sms
    );
}

/// The plain-text part: one item per line, exactly.
#[test]
fn the_estimate_email_lists_one_item_per_line() {
    let t = templates();
    let r = t
        .render(
            Language::En,
            MessageKind::Estimate,
            &MessageContext::sample_long(),
        )
        .unwrap();
    let expected = "Hi Maximiliano,

Here is the estimate for your 2024 Mercedes-Benz GLE 450 4MATIC SUV (order 1234567).

Replace the front brake pads and resurface the rotors, both sides: $1,234.56
  - Brake pad replacement and rotor resurfacing: $270.00
  - Front brake pads (set): $159.50

Replace the cabin air filter: $89.95 (approved)
  - Cabin air filter: $89.95

Shop supplies: $35.00
Discount: -$1,000.00
Tax (10.25%): $1,018.52
Total if you approve everything: $13,364.19

Covered for you (you do not pay this):
- Replace the oxygen sensor under the powertrain warranty: $10,234.56

We need your yes or no on 3 jobs before we start. Answer here: https://service.lakeside-toyota.example/s/AbCdEfGhIjKlMnOpQrStUv You can also reply to this email or call Guadalupe Evangelina Rodriguez at +13125550100.

We expect your car to be ready Wednesday at 12:30 PM.

Lakeside Toyota of North Chicago Service Center";
    assert_eq!(r.text, expected);
}

#[test]
fn the_picked_up_email_lists_one_concern_per_line() {
    let t = templates();
    let r = t
        .render(
            Language::En,
            MessageKind::PickedUp,
            &MessageContext::sample_long(),
        )
        .unwrap();
    assert!(
            r.text.contains(
                "\n\n- Brakes squeal and grind when stopping at low speed: Fixed. New pads and rotors.\n- Check engine light comes on after highway driving: We could not find the problem. No codes stored.\n\nYou paid $13,364.19."
            ),
            "{}",
            r.text
        );
}

#[test]
fn emails_are_multipart_with_escaped_html() {
    let t = templates();
    let mut ctx = MessageContext::sample_long();
    ctx.customer.first_name = "<script>alert(1)</script>".into();
    let r = t.render(Language::En, MessageKind::Estimate, &ctx).unwrap();
    assert!(r.subject.contains("$13,364.19"));
    let html = r.html.unwrap();
    assert!(html.contains("&lt;script&gt;"), "HTML must be escaped");
    assert!(!html.contains("<script>"));
    assert!(html.contains("Covered for you"));
    let es = t
        .render(
            Language::Es,
            MessageKind::Ready,
            &MessageContext::sample_long_in(Language::Es),
        )
        .unwrap();
    assert!(es.subject.contains("está listo"), "{}", es.subject);
}

#[test]
fn the_built_in_templates_are_the_ones_in_config() {
    let built_in = Templates::embedded().unwrap();
    let on_disk = templates();
    let ctx = MessageContext::sample_long_in(Language::Es);
    for kind in MessageKind::ALL.iter().copied() {
        assert_eq!(
            built_in.render(Language::Es, kind, &ctx).unwrap(),
            on_disk.render(Language::Es, kind, &ctx).unwrap()
        );
    }
}

#[test]
fn a_broken_template_stops_loading() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/templates");
    for lang in ["en", "es", "desk"] {
        std::fs::create_dir_all(dir.path().join(lang)).unwrap();
        for entry in std::fs::read_dir(source.join(lang)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(lang).join(path.file_name().unwrap())).unwrap();
        }
    }
    assert!(Templates::load(dir.path()).is_ok());
    std::fs::write(
        dir.path().join("es/ready.txt.j2"),
        "{% block sms %}{{ handover.nmae }}{% endblock %}",
    )
    .unwrap();
    let err = Templates::load(dir.path()).err().unwrap().to_string();
    assert!(err.contains("ready"), "{err}");
    std::fs::remove_file(dir.path().join("es/ready.txt.j2")).unwrap();
    assert!(
        Templates::load(dir.path()).is_err(),
        "a missing template is an error too"
    );
}

/// A customer reached by text only gets the same line as one reached by
/// text and email: rendering the line alone changes nothing in it.
#[test]
fn a_text_rendered_alone_is_the_line_the_full_message_has() {
    let t = templates();
    for lang in LANGUAGES {
        let sample = MessageContext::sample_long_in(lang);
        for kind in MessageKind::ALL.iter().copied() {
            let full = t.render(lang, kind, &sample).unwrap();
            let alone = t.render_sms(lang, kind, &sample).unwrap();
            assert_eq!(alone, full.sms, "{}/{kind}", lang.code());
            assert!(!alone.is_empty(), "{}/{kind}", lang.code());
        }
    }
}
