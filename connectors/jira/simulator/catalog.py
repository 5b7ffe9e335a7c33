"""The simulated Jira's fixed reference data: statuses, workflow, priorities, fields, link types."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUS_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: str  # a key of STATUS_CATEGORIES


@dataclass(frozen=True)
class Transition:
    id: str
    name: str
    to_status: str


STATUSES = {
    status.name: status
    for status in (
        Status("10000", "To Do", "new"),
        Status("3", "In Progress", "indeterminate"),
        Status("10001", "In Review", "indeterminate"),
        Status("10002", "Done", "done"),
    )
}
INITIAL_STATUS = "To Do"
# One global transition into every status, as in Jira's simplified workflows.
TRANSITIONS = (
    Transition("11", "To Do", "To Do"),
    Transition("21", "In Progress", "In Progress"),
    Transition("31", "In Review", "In Review"),
    Transition("41", "Done", "Done"),
)
RESOLUTIONS = {"Done": "10000", "Won't Do": "10001", "Duplicate": "10002", "Fixed": "10003"}
DEFAULT_RESOLUTION = "Done"
PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
DEFAULT_PRIORITY = "Medium"
ISSUE_TYPES = {"Bug": "10004", "Task": "10002", "Story": "10001"}
LINK_TYPES = {
    "Relates": {"id": "10003", "name": "Relates", "inward": "relates to", "outward": "relates to"},
    "Duplicate": {"id": "10002", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"},
    "Blocks": {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
}


@dataclass(frozen=True)
class CustomField:
    id: str
    name: str
    type: str  # "number" or "string"
    custom_type: str


CUSTOM_FIELD_PREFIX = "com.atlassian.jira.plugin.system.customfieldtypes:"
# The custom field types the simulator can hold, by their kind of value.
CUSTOM_FIELD_TYPES = {CUSTOM_FIELD_PREFIX + "float": "number", CUSTOM_FIELD_PREFIX + "textfield": "string",
                      CUSTOM_FIELD_PREFIX + "textarea": "string"}
# A paragraph field: rich text, an Atlassian document in REST v3 (plain text in v2 and webhooks).
PARAGRAPH_FIELD_TYPE = CUSTOM_FIELD_PREFIX + "textarea"
CUSTOM_FIELDS = {
    custom.id: custom
    for custom in (
        CustomField("customfield_10050", "Affected tickets", "number",
                    "com.atlassian.jira.plugin.system.customfieldtypes:float"),
        CustomField("customfield_10051", "Customer impact", "string",
                    "com.atlassian.jira.plugin.system.customfieldtypes:textfield"),
        CustomField("customfield_10053", "Impact score", "number",
                    "com.atlassian.jira.plugin.system.customfieldtypes:float"),
    )
}
SYSTEM_FIELDS = {
    "summary": ("Summary", "string"), "description": ("Description", "string"),
    "issuetype": ("Issue Type", "issuetype"), "project": ("Project", "project"),
    "priority": ("Priority", "priority"), "labels": ("Labels", "array"),
    "components": ("Component/s", "array"), "duedate": ("Due date", "date"),
    "assignee": ("Assignee", "user"), "reporter": ("Reporter", "user"),
    "status": ("Status", "status"), "resolution": ("Resolution", "resolution"),
    "resolutiondate": ("Resolved", "datetime"), "fixVersions": ("Fix Version/s", "array"),
    "created": ("Created", "datetime"), "updated": ("Updated", "datetime"),
    "issuelinks": ("Linked Issues", "array"), "comment": ("Comment", "comments-page"),
}
SETTABLE_ON_CREATE = {"summary", "description", "issuetype", "project", "priority", "labels",
                      "components", "duedate", "assignee", "reporter", "fixVersions"}
SETTABLE_ON_EDIT = SETTABLE_ON_CREATE - {"project", "issuetype"}


@dataclass(frozen=True)
class User:
    account_id: str
    name: str
    display_name: str
    email: str


API_USER = User("5b10ac8d82e05b22cc7d4ef5", "bridge-bot", "Bridge Bot", "bridge@example.com")
UI_USER = User("5b10a2844c20165700ede21g", "jane", "Jane Engineer", "jane@example.com")


@dataclass
class Project:
    id: str
    key: str
    name: str
    issue_types: tuple[str, ...] = ("Bug", "Task", "Story")
    components: dict[str, str] = field(default_factory=dict)  # name -> id


# Each project's screens, as Jira names a new project's: "<KEY>: <scheme> <purpose> Screen".
PROJECT_SCREENS = ("Default Issue Screen", "Bug Screen")
DEFAULT_PROJECTS = (
    ("FIN", "Finance", ("Billing", "Invoices", "Refunds")),
    ("ENG", "Engineering", ("Backend", "Mobile", "Web")),
    ("SHIP", "Shipping", ("Carriers", "Warehouse")),
)
