"""What customers write, per root cause: several phrasings each, with `{placeholders}` the scenario
fills in (order numbers, amounts, versions...). The texts are written so that the shipped rules in
rules/ recognise the three problems and stay quiet on the noise (tests/demo check both)."""

from __future__ import annotations

# (subject, body) pairs.
DOUBLE_CHARGE = (
    ("Charged twice for order #{order}",
     "Hi, I was charged twice for order #{order}: two identical charges of {amount} on my card. "
     "Please reverse one of them."),
    ("Double charge on my card",
     "My bank shows two charges of {amount} from you on {day} for the same {plan} subscription. "
     "I only subscribed once."),
    ("Billed twice this month",
     "Hello, I have been billed twice for {month}. Could you look at my account? It is the {plan} plan."),
    ("Duplicate payment for {order}",
     "The page reloaded when I clicked Buy and now I see a duplicate payment of {amount} for order {order}."),
    ("You charged me twice",
     "Why did I pay {amount} two times on {day}? I only placed one order."),
)

WRONG_INVOICE = (
    ("Wrong amount on invoice {invoice}",
     "Invoice {invoice} shows {other_amount}, but the {plan} plan is {amount} per month. "
     "Please send a corrected invoice."),
    ("Invoice total is incorrect",
     "The invoice for order #{order} has an incorrect amount: we were overcharged by {difference}."),
    ("Our invoice for {month} looks off",
     "Our {month} invoice lists {other_amount} instead of {amount}. Our accountant needs a fixed copy."),
)

APP_CRASH = (
    ("App crashes on launch",
     "Since updating to {version} the app crashes as soon as I open it on my {phone}."),
    ("{app} keeps closing",
     "Every time I open my order history the app keeps closing. {phone}, version {version}."),
    ("App freezes at login",
     "After the {version} update the app freezes on the login step and I have to force close it."),
    ("Error {code} in the app",
     "I get error {code} whenever I open my account in the app (version {version}, {phone})."),
    ("App stopped working after the update",
     "The app stopped working after yesterday's update to {version}. It shows a white page and then closes."),
    ("Crash when I tap Favourites",
     "Tapping Favourites makes {app} crash instantly. Reinstalling did not help. {phone}, {version}."),
)

LATE_OR_LOST = (
    ("Where is my order?",
     "My order #{order} should have come on {day} and it still has not. The tracking page has not "
     "changed in days."),
    ("Parcel not delivered",
     "The courier says parcel {tracking} was delivered, but I never received it. Nobody was home "
     "that day either."),
    ("Order {order} is late",
     "Order {order} is more than a week late. Can you tell me when it will arrive?"),
    ("Lost in transit?",
     "Tracking for {tracking} has said 'in transit' since {day}. I think the package is lost."),
    ("Delivery delayed again",
     "This is the second time my delivery was delayed. Order {order}, and I need it for {occasion}."),
    ("Order {order} status",
     "Could you check the status of my order? Nothing has happened since {day}."),
)

# The backfill's history: customers who could not manage their addresses, two weeks before the bridge
# was wired. Worded so that only delivery-address-problems recognises them (no "deliver*", "track*").
ADDRESS_PROBLEMS = (
    ("Cannot change my address",
     "I moved last month and my account will not let me change my address. It keeps the old street."),
    ("New address not saved",
     "Every time I save my new address in my account it jumps back to the old one."),
    ("Wrong address on my account",
     "My account shows an address I never entered. How do I correct it?"),
    ("Postcode rejected",
     "The address form rejects my postcode as invalid, so I cannot save my address."),
    ("Apartment number cut off",
     "The address field cuts off my apartment number. How do I get the whole address saved?"),
    ("Second address will not save",
     "I want to add my office as a second address, but the form never saves it."),
)

# The first look's second burst of history (--keep-running): customers waiting for refunds, two weeks before the wiring.
# Worded so that only billing-refund-missing recognises them (no "pay*", "bill*", "invoice*", "late").
REFUND_MISSING = (
    ("Still waiting for my refund",
     "I returned the jacket three weeks ago and the refund has not come through."),
    ("Where is my money back?",
     "You confirmed my return, but I still do not have my money back."),
    ("Refund not received",
     "The refund you promised for my cancelled order never reached my account."),
    ("Refund for returned shoes",
     "My returned shoes were accepted at the warehouse. When will the refund come?"),
    ("Waiting on a refund",
     "It has been two weeks since you approved my refund and nothing has happened."),
)
REFUND_COMES_BACK = ("My refund again",
                     "You wrote that refunds were sorted out, but my refund for the returned coat is missing.")

NOISE = (
    ("Password reset",
     "I forgot my password and the reset email never shows up in my inbox."),
    ("How do I export my contacts?",
     "Is there a way to export my contacts to a CSV file?"),
    ("Change my username",
     "How can I change the username on my account? {first} is taken by my sister."),
    ("Two-factor authentication",
     "How do I switch on two-factor authentication for my login?"),
    ("Thank you!",
     "Just wanted to say thanks for the quick help with my account last week."),
    ("Dark mode?",
     "Is there a dark mode in {app}? My eyes would be grateful."),
    ("Newsletter",
     "Please unsubscribe me from the newsletter."),
    ("Support hours",
     "What are your support opening hours on weekends?"),
)

# A new failure no shipped rule knows (the demo's discovery stage): the calendar sync broke. Worded
# as customers word it, each differently, and clear of every shipped rule's keywords.
CALENDAR_SYNC = (
    ("Calendar sync stopped",
     "My appointments no longer sync to my Google Calendar since {day}."),
    ("Appointments missing from my calendar",
     "None of my new appointments show up in my calendar anymore, the sync seems stuck."),
    ("calendar not syncing",
     "calendar sync stuck on syncing for hours, nothing reaches my Outlook calendar"),
    ("Sync with Google Calendar fails",
     "The calendar sync fails every time I try it, my appointments stay in the app only."),
    ("Bookings no longer in my calendar",
     "Since {day} my bookings and appointments stopped appearing in my phone's calendar. The sync is on."),
    ("Calendar integration",
     "Did something change with the calendar sync? My appointments vanished from Google Calendar."),
    ("Outlook calendar out of sync",
     "My Outlook calendar is out of sync with the appointments I book in your app."),
)
# The customer who writes once the suggested rule runs.
CALENDAR_SYNC_NEXT = ("Calendar sync still failing",
                      "Still no sync here: this week's appointments are not in my calendar.")

# Wrapped around every body, so the same phrasing still reads like different people.
GREETINGS = ("", "Hi,\n", "Hello,\n", "Good morning,\n", "Hi there,\n")
SIGN_OFFS = ("", "\nThanks, {first}", "\n{first} {last}", "\nRegards,\n{first}", "\nThank you.")

FIRST_NAMES = ("Maria", "James", "Aisha", "Chen", "Lukas", "Sofia", "Mateo", "Priya", "Noah", "Emma",
               "Kwame", "Yuki", "Olga", "Diego", "Fatima", "Liam", "Ines", "Omar", "Hana", "Tomasz")
LAST_NAMES = ("Lopez", "Smith", "Okafor", "Wang", "Muller", "Rossi", "Garcia", "Patel", "Kim", "Novak",
              "Mensah", "Sato", "Ivanova", "Silva", "Haddad", "Brown", "Costa", "Farouk", "Tanaka", "Nowak")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example")

PLANS = ("Basic", "Plus", "Family", "Pro")
MONTHS = ("January", "February", "March", "April", "May", "June")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
PHONES = ("iPhone 13", "iPhone 14", "iPhone 15 Pro", "iPad Air")
OCCASIONS = ("a birthday on Saturday", "a trip next week", "my daughter's school start", "a wedding")
