#!/usr/bin/env python3
"""Stripe-Signature vectors made by Stripe's own library (stripe on PyPI).

Each vector is a payload, the signing secret(s) the endpoint holds, and the
header Stripe sends: t=<time>,v1=<HMAC-SHA256 of "t.payload">, computed by
stripe.WebhookSignature and accepted by stripe.Webhook.construct_event (and
refused after a byte of the payload changes). `--write` regenerates
tests/vectors/stripe_signatures.json; the default checks that the checked-in
vectors are still what the library computes and accepts (CI runs this); the
Rust tests check the service against the same file.
"""
import json
import pathlib
import sys

import stripe
from stripe import Webhook, WebhookSignature

FILE = pathlib.Path(__file__).resolve().parent.parent / "tests/vectors/stripe_signatures.json"
T = 1_772_463_600  # 2026-03-02 15:00 UTC

CASES = [
    ("whsec_handover_test", '{"id":"evt_1","object":"event","type":"checkout.session.completed","data":{"object":{"id":"cs_test_1","payment_status":"paid","amount_total":46493}}}'),
    ("whsec_handover_test", '{\n  "id": "evt_2",\n  "type": "checkout.session.expired",\n  "data": {"object": {"id": "cs_test_2"}}\n}'),
    ("whsec_5ecret_with_sp3cial+/=", '{"id":"evt_3","type":"customer.created","data":{"object":{"name":"Mar\u00eda Garc\u00eda \u2014 \u00f1"}}}'),
]


def vectors():
    out = []
    for i, (secret, payload) in enumerate(CASES):
        t = T + i
        sig = WebhookSignature._compute_signature(f"{t}.{payload}", secret)
        out.append({"secret": secret, "payload": payload, "timestamp": t, "header": f"t={t},v1={sig}"})
    # During a roll Stripe signs with both secrets: one header, two v1.
    old = WebhookSignature._compute_signature(f"{T}.{CASES[0][1]}", "whsec_old_secret")
    new = WebhookSignature._compute_signature(f"{T}.{CASES[0][1]}", CASES[0][0])
    out.append({"secret": "whsec_old_secret", "payload": CASES[0][1], "timestamp": T,
                "header": f"t={T},v1={new},v1={old}"})
    return out


def check(v):
    Webhook.construct_event(v["payload"], v["header"], v["secret"], tolerance=None)
    tampered = v["payload"].replace("evt_", "evt-", 1)
    try:
        WebhookSignature.verify_header(tampered, v["header"], v["secret"], tolerance=None)
    except stripe.SignatureVerificationError:
        return
    raise SystemExit(f"stripe accepted a tampered payload: {v}")


def main():
    made = vectors()
    for v in made:
        check(v)
    if "--write" in sys.argv:
        FILE.write_text(json.dumps(made, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {len(made)} vectors to {FILE}")
        return
    kept = json.loads(FILE.read_text())
    if kept != made:
        raise SystemExit(f"{FILE} is not what stripe {stripe.VERSION} computes: run with --write")
    print(f"{len(made)} Stripe-Signature vectors agree with stripe {stripe.VERSION}")


if __name__ == "__main__":
    main()
