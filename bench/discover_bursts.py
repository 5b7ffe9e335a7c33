"""Bursts of tickets about a new, specific failure, in varied customer wording (bench/discover.py).

Each topic has subjects and descriptions written the way different customers would report the
same fault: some name the feature, some the symptom, some the version. A burst ticket is one
subject and one description of its topic, with a customer's opening or closing words around them."""

from __future__ import annotations

import random

OPENINGS = ("", "Hi, ", "Hello there. ", "Good morning, ", "Urgent: ", "Not happy. ", "Hey, ", "Dear support, ")
CLOSINGS = ("", " Please fix this asap.", " What should I do?", " Thanks.", " This is really annoying!",
            " Can someone look into it?", " I need this working today.", "")

TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "app crashes on photo upload": (
        ("App crashes when uploading a photo", "crash on photo upload", "app closes when I add a picture",
         "Uploading pictures crashes the app", "photo upload broken since update", "App keeps crashing"),
        ("Since the latest update the app crashes every time I try to upload a photo.",
         "whenever i attach a picture from my gallery the app just closes",
         "The mobile app shuts down as soon as I pick a photo to upload, version 5.2.",
         "I tap upload photo, choose the image and the app crashes back to the home screen.",
         "Can't upload any pictures, the app crashes. It worked fine before the update.",
         "uploading a photo makes the application crash on my phone",
         "App crashed again while uploading my profile photo, third time today."),
    ),
    "promo code rejected": (
        ("Promo code not working", "discount code rejected at checkout", "Coupon code invalid",
         "SPRING25 code doesn't work", "promo code error", "Voucher not accepted"),
        ("The promo code SPRING25 from your newsletter says invalid at checkout.",
         "i enter the discount code and checkout says the code is not valid",
         "Your coupon code SPRING25 is rejected, it says expired but the email says valid until June.",
         "Tried the promo code three times, checkout keeps rejecting it.",
         "checkout refuses my promo code spring25, error code invalid",
         "The discount code from the spring promo email does not apply at checkout.",
         "promo code not accepted, the checkout page shows 'code invalid'"),
    ),
    "verification sms never arrives": (
        ("No SMS verification code", "Verification code never arrives", "didn't get the text code",
         "SMS code not received", "Two-factor code missing", "can't log in, no SMS"),
        ("I never receive the SMS verification code when I try to log in.",
         "the text message with the verification code does not arrive, I waited 20 minutes",
         "Two-factor login is stuck, no SMS code arrives on my phone.",
         "Requested the verification code by SMS five times, nothing arrives.",
         "no sms with the login code, so i cannot sign in to my account",
         "Your SMS verification code never comes through, my number is correct.",
         "The login asks for the code sent by text message but I never get the SMS."),
    ),
    "tracking link 404": (
        ("Tracking link broken", "tracking page not found", "404 on track my parcel",
         "Tracking link gives error 404", "can't open tracking link", "Track parcel link dead"),
        ("The tracking link in my shipping confirmation email opens a 404 page not found.",
         "clicking track my parcel in the email gives error 404",
         "Tracking link from the dispatch email is broken, page not found.",
         "I get a 404 error every time I open the tracking link for my parcel.",
         "the link to track my parcel says page not found",
         "Your tracking page link returns 404, I can't see where my parcel is.",
         "The shipping email's tracking link is dead: 404 not found."),
    ),
    "invoice pdf blank": (
        ("Invoice PDF is blank", "empty invoice pdf", "Downloaded invoice shows nothing",
         "blank pdf invoice", "invoice download empty", "Invoice PDF has no content"),
        ("When I download my invoice the PDF is completely blank.",
         "the invoice pdf opens but the pages are empty, white pages only",
         "Downloaded the invoice PDF twice, both times it is a blank page.",
         "My invoice PDF shows no amounts and no text, just an empty page.",
         "invoice download gives an empty pdf file",
         "The PDF of this month's invoice is blank, I need it for my accountant.",
         "Blank invoice: the PDF downloads but there is nothing on it."),
    ),
}


def burst_ticket(topic: str, rng: random.Random) -> tuple[str, str]:
    subjects, descriptions = TOPICS[topic]
    description = rng.choice(OPENINGS) + rng.choice(descriptions) + rng.choice(CLOSINGS)
    return rng.choice(subjects), description
