#!/usr/bin/env python3
"""X-Twilio-Signature vectors made by Twilio's own library.

The service must accept exactly what Twilio's RequestValidator signs,
including a form that repeats a parameter with the same value (Twilio signs
each distinct name and value once). `--write` regenerates
tests/vectors/twilio_signatures.json; the default checks that the checked-in
vectors are still what the library computes (CI runs this with the `twilio`
package from PyPI); the Rust tests check the service against the same file.
"""
import json
import pathlib
import sys

from twilio.request_validator import RequestValidator

TOKEN = "test-auth-token-0123456789abcdef"
FILE = pathlib.Path(__file__).resolve().parent.parent / "tests/vectors/twilio_signatures.json"


class Form(dict):
    """A form with repeated names, as Twilio posts it (getlist, like Django's)."""

    def __init__(self, pairs):
        super().__init__()
        self.pairs = pairs
        for k, v in pairs:
            self.setdefault(k, v)

    def getlist(self, name):
        return [v for k, v in self.pairs if k == name]


CASES = [
    ("https://mycompany.com/myapp.php?foo=1&bar=2",
     [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
      ("From", "+12349013030"), ("To", "+18005551212")]),
    ("https://service.example.com/webhooks/twilio/inbound",
     [("MessageSid", "SM0123"), ("From", "+13125550142"), ("To", "+13125550199"),
      ("Body", "Can you also check the wipers?"), ("NumMedia", "0")]),
    ("https://service.example.com/webhooks/twilio/inbound",
     [("MessageSid", "SMmedia"), ("From", "+13125550142"), ("To", "+13125550199"),
      ("Body", ""), ("NumMedia", "2"), ("MediaUrl0", "https://api.twilio.com/m/1"),
      ("MediaUrl0", "https://api.twilio.com/m/1"), ("MediaUrl1", "https://api.twilio.com/m/2")]),
    ("https://service.example.com/webhooks/twilio/status",
     [("MessageSid", "SMstatus"), ("MessageStatus", "delivered"), ("ErrorCode", ""),
      ("To", "+13125550142"), ("From", "+13125550199"), ("AccountSid", "AC" + "0" * 32)]),
    ("https://service.example.com/webhooks/twilio/inbound",
     [("MessageSid", "SMaccents"), ("From", "+13125550142"), ("To", "+13125550199"),
      ("Body", "¿Está listo mi auto? Gracias 🙏")]),
]


def vectors():
    v = RequestValidator(TOKEN)
    return [
        {"url": url, "params": [list(p) for p in params],
         "signature": v.compute_signature(url, Form(params))}
        for url, params in CASES
    ]


def main():
    made = {"token": TOKEN, "vectors": vectors()}
    if "--write" in sys.argv:
        FILE.write_text(json.dumps(made, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {len(made['vectors'])} vectors to {FILE}")
        return
    stored = json.loads(FILE.read_text())
    if stored != made:
        sys.exit(f"{FILE} differs from what twilio.RequestValidator computes; run with --write")
    print(f"{len(made['vectors'])} X-Twilio-Signature vectors agree with twilio.RequestValidator")


if __name__ == "__main__":
    main()
