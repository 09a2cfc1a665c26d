"""Contact exports as real tools write them: each tool's header row (copied from its documentation or
a real export), two contacts, what each header maps to, and the lead each contact must become.

Every number and address is unique across the tools, so all the files import into one workspace."""

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Export:
    tool: str
    headers: list[str]
    rows: list[dict[str, str]]  # header -> cell; missing headers are empty
    mapped: dict[str, str]  # header -> field; every other header is ignored
    leads: list[dict[str, str]]  # the lead fields each row becomes (the rest empty)

    def csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.headers)
        writer.writerows([row.get(header, "") for header in self.headers] for row in self.rows)
        return out.getvalue().encode("utf-8-sig")  # Outlook and Google write a BOM

    def mapping(self) -> list[str | None]:
        return [self.mapped.get(header) for header in self.headers]


# Google Contacts, "Google CSV" before 2023: Type/Value pairs, "* " marks the primary value, several
# values of one type in one cell split by " ::: ".
GOOGLE_LEGACY = Export(
    "Google Contacts (Google CSV, legacy)",
    "Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,Additional Name Yomi,Family Name Yomi,"
    "Name Prefix,Name Suffix,Initials,Nickname,Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,"
    "Directory Server,Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,Group Membership,"
    "E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,"
    "Phone 2 - Type,Phone 2 - Value,Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,"
    "Organization 1 - Title,Organization 1 - Department".split(","),
    [
        {
            "Name": "Ada Lovelace",
            "Given Name": "Ada",
            "Family Name": "Lovelace",
            "Group Membership": "* myContacts",
            "E-mail 1 - Type": "* Work",
            "E-mail 1 - Value": "ada@engines.example",
            "E-mail 2 - Type": "Home",
            "E-mail 2 - Value": "ada@icloud.com",
            "Phone 1 - Type": "Work",
            "Phone 1 - Value": "+1 202-555-0100",
            "Phone 2 - Type": "Mobile",
            "Phone 2 - Value": "+1 202-555-0102 ::: +1 202-555-0104",
            "Organization 1 - Name": "Analytical Engines",
        },
        {"Name": "Grace Hopper", "Phone 1 - Type": "Home", "Phone 1 - Value": "(202) 555-0106"},
    ],
    {
        "Name": "full_name",
        "Given Name": "first_name",
        "Family Name": "last_name",
        "E-mail 1 - Value": "any_email",
        "E-mail 2 - Value": "any_email",
        "Phone 1 - Type": "phone_type",
        "Phone 1 - Value": "any_phone",
        "Phone 2 - Type": "phone_type",
        "Phone 2 - Value": "any_phone",
        "Organization 1 - Name": "company",
    },
    [
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "company": "Analytical Engines",
            "phone": "+1 202-555-0102",
            "alt_phone1": "+1 202-555-0104",
            "alt_phone2": "+1 202-555-0100",
            "email": "ada@engines.example",
            "alt_email1": "ada@icloud.com",
        },
        {"first_name": "Grace", "last_name": "Hopper", "phone": "(202) 555-0106"},
    ],
)

# Google Contacts since 2023: First/Last Name, Label/Value pairs, "* Mobile" for the starred one.
GOOGLE = Export(
    "Google Contacts (Google CSV)",
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,"
    "Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,"
    "Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Phone 3 - Label,Phone 3 - Value".split(","),
    [
        {
            "First Name": "Katherine",
            "Last Name": "Johnson",
            "Organization Name": "NASA",
            "Labels": "* myContacts",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": "kj@nasa.example ::: katherine@me.com",
            "Phone 1 - Label": "Work",
            "Phone 1 - Value": "+1 202-555-0108",
            "Phone 2 - Label": "Home",
            "Phone 2 - Value": "+1 202-555-0110",
            "Phone 3 - Label": "* Mobile",
            "Phone 3 - Value": "+1 202-555-0112",
        },
        {"First Name": "Dorothy", "E-mail 1 - Label": "Home", "E-mail 1 - Value": "dorothy@icloud.com"},
    ],
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Organization Name": "company",
        "E-mail 1 - Value": "any_email",
        "E-mail 2 - Value": "any_email",
        "Phone 1 - Label": "phone_type",
        "Phone 1 - Value": "any_phone",
        "Phone 2 - Label": "phone_type",
        "Phone 2 - Value": "any_phone",
        "Phone 3 - Label": "phone_type",
        "Phone 3 - Value": "any_phone",
    },
    [
        {
            "first_name": "Katherine",
            "last_name": "Johnson",
            "company": "NASA",
            "phone": "+1 202-555-0112",
            "alt_phone1": "+1 202-555-0108",
            "alt_phone2": "+1 202-555-0110",
            "email": "kj@nasa.example",
            "alt_email1": "katherine@me.com",
        },
        {"first_name": "Dorothy", "email": "dorothy@icloud.com"},
    ],
)

# Outlook's CSV export (the Import/Export wizard's "Comma Separated Values").
OUTLOOK = Export(
    "Outlook CSV",
    "Title,First Name,Middle Name,Last Name,Suffix,Given Name Yomi,Family Name Yomi,Home Street,Home City,"
    "Home State,Home Postal Code,Home Country,Company,Department,Job Title,Office Location,Business Street,"
    "Business City,Business State,Business Postal Code,Business Country,Other Street,Other City,Other State,"
    "Other Postal Code,Other Country,Assistant's Phone,Business Fax,Business Phone,Business Phone 2,Callback,"
    "Car Phone,Company Main Phone,Home Fax,Home Phone,Home Phone 2,ISDN,Mobile Phone,Other Fax,Other Phone,Pager,"
    "Primary Phone,Radio Phone,TTY/TDD Phone,Telex,Anniversary,Birthday,E-mail Address,E-mail Type,"
    "E-mail 2 Address,E-mail 2 Type,E-mail 3 Address,E-mail 3 Type,Notes,Spouse,Web Page".split(","),
    [
        {
            "First Name": "Alan",
            "Last Name": "Turing",
            "Company": "Bletchley Park",
            "Assistant's Phone": "(202) 555-0114",
            "Business Phone": "(202) 555-0116",
            "Company Main Phone": "(202) 555-0118",
            "Home Phone": "(202) 555-0120",
            "Mobile Phone": "(202) 555-0122",
            "Other Phone": "(202) 555-0124",
            "E-mail Address": "alan@bletchley.example",
            "E-mail Type": "SMTP",
            "E-mail 2 Address": "alan@icloud.com",
            "E-mail 3 Address": "turing@mac.com",
        },
        {"First Name": "Joan", "Last Name": "Clarke", "Home Phone": "(202) 555-0126", "Other Phone": "(202) 555-0126"},
    ],
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Company": "company",
        "Business Phone": "any_phone",
        "Business Phone 2": "any_phone",
        "Car Phone": "any_phone",
        "Home Phone": "any_phone",
        "Home Phone 2": "any_phone",
        "Mobile Phone": "mobile_phone",
        "Other Phone": "any_phone",
        "Primary Phone": "phone",
        "E-mail Address": "any_email",
        "E-mail 2 Address": "any_email",
        "E-mail 3 Address": "any_email",
    },
    [
        {
            "first_name": "Alan",
            "last_name": "Turing",
            "company": "Bletchley Park",
            "phone": "(202) 555-0122",
            "alt_phone1": "(202) 555-0116",
            "alt_phone2": "(202) 555-0120",
            "alt_phone3": "(202) 555-0124",
            "email": "alan@bletchley.example",
            "alt_email1": "alan@icloud.com",
            "alt_email2": "turing@mac.com",
        },
        {"first_name": "Joan", "last_name": "Clarke", "phone": "(202) 555-0126"},  # the same number once
    ],
)

# HubSpot's contacts export ("Export view"), default columns.
HUBSPOT = Export(
    "HubSpot",
    "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,Job Title,"
    "Contact owner,Lifecycle Stage,Lead Status,Create Date".split(","),
    [
        {
            "Record ID": "51",
            "First Name": "Hedy",
            "Last Name": "Lamarr",
            "Email": "hedy@icloud.com",
            "Phone Number": "+1 (202) 555-0128",
            "Mobile Phone Number": "+1 (202) 555-0130",
            "Company Name": "Frequency Hopping",
        },
        {"Record ID": "52", "First Name": "Mary", "Phone Number": "+1 (202) 555-0132"},
    ],
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone Number": "any_phone",
        "Mobile Phone Number": "mobile_phone",
        "Company Name": "company",
    },
    [
        {
            "first_name": "Hedy",
            "last_name": "Lamarr",
            "company": "Frequency Hopping",
            "phone": "+1 (202) 555-0130",
            "alt_phone1": "+1 (202) 555-0128",
            "email": "hedy@icloud.com",
        },
        {"first_name": "Mary", "phone": "+1 (202) 555-0132"},
    ],
)

# Salesforce: a Contacts report exported as CSV.
SALESFORCE = Export(
    "Salesforce",
    "Salutation,First Name,Last Name,Title,Account Name,Mailing Street,Mailing City,Mailing State/Province,"
    "Mailing Zip/Postal Code,Mailing Country,Phone,Mobile,Other Phone,Home Phone,Fax,Email,Contact Owner,"
    "Lead Source".split(","),
    [
        {
            "Salutation": "Ms.",
            "First Name": "Radia",
            "Last Name": "Perlman",
            "Account Name": "Spanning Tree Inc",
            "Phone": "202.555.0134",
            "Mobile": "202.555.0136",
            "Home Phone": "202.555.0138",
            "Fax": "202.555.0140",
            "Email": "radia@me.com",
        },
        {"First Name": "Frances", "Last Name": "Allen", "Phone": "202.555.0144", "Email": "fran@ibm.example"},
    ],
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Account Name": "company",
        "Phone": "any_phone",
        "Mobile": "mobile_phone",
        "Other Phone": "any_phone",
        "Home Phone": "any_phone",
        "Email": "email",
    },
    [
        {
            "first_name": "Radia",
            "last_name": "Perlman",
            "company": "Spanning Tree Inc",
            "phone": "202.555.0136",
            "alt_phone1": "202.555.0134",
            "alt_phone2": "202.555.0138",
            "email": "radia@me.com",
        },
        {"first_name": "Frances", "last_name": "Allen", "phone": "202.555.0144", "email": "fran@ibm.example"},
    ],
)

# Pipedrive: People exported from the list view.
PIPEDRIVE = Export(
    "Pipedrive",
    "Person - Name,Person - First name,Person - Last name,Person - Organization,Person - Phone - Work,"
    "Person - Phone - Home,Person - Phone - Mobile,Person - Phone - Other,Person - Email - Work,"
    "Person - Email - Home,Person - Email - Other,Person - Label,Organization - Name".split(","),
    [
        {
            "Person - Name": "Barbara Liskov",
            "Person - First name": "Barbara",
            "Person - Last name": "Liskov",
            "Person - Organization": "CLU Labs",
            "Person - Phone - Work": "2025550146",
            "Person - Phone - Mobile": "2025550148",
            "Person - Email - Work": "barbara@clu.example",
            "Person - Email - Other": "barbara@icloud.com",
            "Organization - Name": "CLU Labs",
        },
        {"Person - Name": "Adele Goldberg", "Person - Email - Home": "adele@mac.com"},
    ],
    {
        "Person - Name": "full_name",
        "Person - First name": "first_name",
        "Person - Last name": "last_name",
        "Person - Organization": "company",
        "Person - Phone - Work": "any_phone",
        "Person - Phone - Home": "any_phone",
        "Person - Phone - Mobile": "mobile_phone",
        "Person - Phone - Other": "any_phone",
        "Person - Email - Work": "any_email",
        "Person - Email - Home": "any_email",
        "Person - Email - Other": "any_email",
    },
    [
        {
            "first_name": "Barbara",
            "last_name": "Liskov",
            "company": "CLU Labs",
            "phone": "2025550148",
            "alt_phone1": "2025550146",
            "email": "barbara@clu.example",
            "alt_email1": "barbara@icloud.com",
        },
        {"first_name": "Adele", "last_name": "Goldberg", "email": "adele@mac.com"},
    ],
)

# Zoho CRM: Contacts exported (Setup → Data Administration → Export).
ZOHO = Export(
    "Zoho CRM",
    "Contact Id,Contact Owner,Lead Source,First Name,Last Name,Account Name,Vendor Name,Email,Title,Department,"
    "Phone,Home Phone,Other Phone,Fax,Mobile,Date of Birth,Assistant,Asst Phone,Email Opt Out,Skype ID,"
    "Secondary Email,Twitter,Mailing Street,Mailing City,Mailing State,Mailing Zip,Mailing Country".split(","),
    [
        {
            "Contact Id": "zcrm_101",
            "First Name": "Margaret",
            "Last Name": "Hamilton",
            "Account Name": "Apollo Software",
            "Email": "margaret@apollo.example",
            "Phone": "202 555 0150",
            "Mobile": "202 555 0152",
            "Asst Phone": "202 555 0154",
            "Secondary Email": "margaret@icloud.com",
        },
        {"Contact Id": "zcrm_102", "First Name": "Annie", "Last Name": "Easley", "Mobile": "202 555 0156"},
    ],
    {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Account Name": "company",
        "Email": "email",
        "Phone": "any_phone",
        "Home Phone": "any_phone",
        "Other Phone": "any_phone",
        "Mobile": "mobile_phone",
        "Secondary Email": "alt_email1",
    },
    [
        {
            "first_name": "Margaret",
            "last_name": "Hamilton",
            "company": "Apollo Software",
            "phone": "202 555 0152",
            "alt_phone1": "202 555 0150",
            "email": "margaret@apollo.example",
            "alt_email1": "margaret@icloud.com",
        },
        {"first_name": "Annie", "last_name": "Easley", "phone": "202 555 0156"},
    ],
)

# Apple Numbers: a table someone typed, exported as CSV (File → Export To → CSV).
NUMBERS = Export(
    "Apple Numbers",
    ["First name", "Last name", "Company", "Mobile", "iPhone", "Phone", "Email", "Notes"],
    [
        {
            "First name": "Evelyn",
            "Last name": "Berezin",
            "Company": "Redactron",
            "iPhone": "(202) 555-0158",
            "Phone": "(202) 555-0160",
            "Email": "evelyn@mac.com",
        },
        {"First name": "Lynn", "Mobile": "(202) 555-0162", "iPhone": "(202) 555-0164", "Notes": "met at the fair"},
    ],
    {
        "First name": "first_name",
        "Last name": "last_name",
        "Company": "company",
        "Mobile": "mobile_phone",
        "iPhone": "mobile_phone",
        "Phone": "any_phone",
        "Email": "email",
    },
    [
        {
            "first_name": "Evelyn",
            "last_name": "Berezin",
            "company": "Redactron",
            "phone": "(202) 555-0158",
            "alt_phone1": "(202) 555-0160",
            "email": "evelyn@mac.com",
        },
        {"first_name": "Lynn", "phone": "(202) 555-0162", "alt_phone1": "(202) 555-0164"},
    ],
)

EXPORTS = [GOOGLE_LEGACY, GOOGLE, OUTLOOK, HUBSPOT, SALESFORCE, PIPEDRIVE, ZOHO, NUMBERS]

# Apple Contacts (vCard 3.0: item groups, Apple's labels, a folded photo), Google Contacts (vCard
# 3.0), a vCard 4.0 (TYPE="cell,voice", tel: URIs), an Android vCard 2.1 with quoted-printable UTF-8,
# a card with six phones, and a malformed card between them.
VCARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.2//EN\r\nN:Appleseed;Johnny;;;\r\n"
    "FN:Johnny Appleseed\r\nORG:Apple Inc.;Developer Relations\r\n"
    "EMAIL;type=INTERNET;type=HOME:johnny@home.example\r\n"
    "EMAIL;type=INTERNET;type=WORK;type=pref:johnny_appleseed@apple.com\r\n"
    "TEL;type=WORK;type=VOICE:(202) 555-0166\r\nitem1.TEL:(202) 555-0168\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:(202) 555-0170\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8M\r\n"
    " CgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=\r\n"
    "NOTE:Met at WWDC; likes long\r\n  folded notes\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken Card\r\nTEL;TYPE=CELL 2025550172\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Núñez\r\nN:Núñez;Zoë;;;\r\nEMAIL;TYPE=INTERNET;TYPE=HOME:zoe@icloud.com\r\n"
    "TEL;TYPE=WORK:+1 202-555-0174\r\nTEL;TYPE=CELL:+1 202-555-0176\r\nORG:Núñez & Co\r\n"
    "CATEGORIES:myContacts\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\nVERSION:4.0\nFN:Sophie Wilson\nN:Wilson;Sophie;;;\n"
    'TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-202-555-0178\nTEL;VALUE=uri;TYPE="cell,voice":tel:+1-202-555-0180\n'
    "EMAIL;PREF=1:sophie@arm.example\nEMAIL:sophie@me.com\nEND:VCARD\n"
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg=20=\r\nM=C3=BCller\r\n"
    "TEL;HOME:+12025550182\r\nTEL;CELL:+12025550184\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Many Phones\r\n"
    + "".join(f"TEL;TYPE=WORK:+1202555{n:04d}\r\n" for n in (186, 188, 190, 192, 194))
    + "TEL;TYPE=IPHONE:+12025550196\r\nEND:VCARD\r\n"
).encode("utf-8")
VCARD_LEADS = [
    {
        "first_name": "Johnny",
        "last_name": "Appleseed",
        "company": "Apple Inc.",
        "phone": "(202) 555-0170",  # the mobile marked pref before the one labelled Mobile
        "alt_phone1": "(202) 555-0168",
        "alt_phone2": "(202) 555-0166",
        "email": "johnny_appleseed@apple.com",
        "alt_email1": "johnny@home.example",
    },
    {
        "first_name": "Zoë",
        "last_name": "Núñez",
        "company": "Núñez & Co",
        "phone": "+1 202-555-0176",
        "alt_phone1": "+1 202-555-0174",
        "email": "zoe@icloud.com",
    },
    {
        "first_name": "Sophie",
        "last_name": "Wilson",
        "phone": "+1-202-555-0180",
        "alt_phone1": "+1-202-555-0178",
        "email": "sophie@arm.example",
        "alt_email1": "sophie@me.com",
    },
    {"first_name": "Jörg", "last_name": "Müller", "phone": "+12025550184", "alt_phone1": "+12025550182"},
    {  # six phones: the iPhone first, then three more in order; the last two are not imported
        "first_name": "Many",
        "last_name": "Phones",
        "phone": "+12025550196",
        "alt_phone1": "+12025550186",
        "alt_phone2": "+12025550188",
        "alt_phone3": "+12025550190",
    },
]
