"""The demo cast: sites, staff, participants, groups and who is enrolled where.

Everything here is invented. Site names and addresses appear in participant reminders,
so they say where and never what for. Emails use example.org and phone numbers the
fictional +1 555 555 01xx range, so a misconfigured demo can never reach a real person.
"""

from datetime import time
from typing import NamedTuple

DEMO_PASSWORD = "refrain-demo"  # noqa: S105 (a published demo password, by design)


class DemoSite(NamedTuple):
    name: str
    address: str
    time_zone: str


class DemoLogin(NamedTuple):
    username: str
    first_name: str
    last_name: str


class DemoParticipant(NamedTuple):
    key: str
    site: str
    first_name: str
    last_name: str
    preferred_name: str = ""
    channel: str = "none"  # email, sms or none
    opt_in: bool = False
    phone: str = ""
    quiet_hours: tuple[time, time] | None = None
    language: str = "en"


class DemoGroup(NamedTuple):
    site: str
    name: str
    focus: str
    enrollment: str
    capacity: int
    weekday: int
    start_time: time
    duration_minutes: int
    room: str
    lead: str
    co: tuple[str, ...]
    # Shapes the session plans: the group's signature activity first, then the others
    # it often works with.
    activities: tuple[str, ...]


class DemoEnrollment(NamedTuple):
    group: str
    participant: str
    # Days relative to the group's first session; negative means before the first one.
    start: int
    end: int | None = None
    status: str = "active"
    discharge_reason: str = ""


HARBOR = "Harbor Street Center"
MESA = "Mesa Community House"

SITES = (
    DemoSite(HARBOR, "214 Harbor Street, Suite 3, Portland, ME 04101", "America/New_York"),
    DemoSite(MESA, "1180 Mesa Avenue, Grand Junction, CO 81501", "America/Denver"),
)

ADMIN = DemoLogin("admin", "Morgan", "Ellis")
# The first therapist is the `therapist` demo login.
THERAPISTS = (
    DemoLogin("therapist", "Maya", "Okafor"),
    DemoLogin("jrivera", "Jordan", "Rivera"),
    DemoLogin("pnatarajan", "Priya", "Natarajan"),
    DemoLogin("intern", "Riley", "Chen"),
)
# The `intern` demo login: a music-therapy intern whose notes the demo therapist co-signs;
# they co-facilitate the Mesa singing group, and one of their notes waits.
INTERN = ("intern", "therapist", "Wednesday Community Singers")
INTERN_CREDENTIALS = "Music therapy intern"
# The demo therapist's Harbor group always has a session today (demo_seed adds one when
# today is not its day), and two of its members are slipping away.
TODAY_GROUP = "Tuesday Songwriting Circle"
SLIPPING_AWAY = ("deshawn", "kayla")
CREDENTIALS = "MT-BC"
# Where therapists work besides the sites of their groups: Priya covers Harbor Street's
# front desk on Tuesdays, which is how she comes to use emergency access there.
EXTRA_WORK_SITES = {"pnatarajan": (HARBOR,)}
# Access outside the usual paths, for the administrator's review and the therapist's home:
# Priya opened Marcus's record by emergency access a few hours ago, and the demo
# therapist's enrolment of Luis gave her a first look at him.
EMERGENCY_ACCESS = (
    "pnatarajan",
    "marcus",
    "Marcus came to the front desk in distress after a relapse scare; Maya and Jordan are "
    "at the regional training today. I needed his safety-plan contacts.",
)
FIRST_LOOK = ("therapist", "Tuesday Songwriting Circle", "luis")
# The `artist` demo login: a teaching artist on one lullaby project (demo/lullaby.py).
ARTIST = DemoLogin("artist", "Jamie", "Calloway")

# The logins `make run` and seed_demo print (all with DEMO_PASSWORD), with who they are.
DEMO_LOGINS = (
    ("admin", "administrator"),
    ("therapist", "music therapist who leads demo groups"),
    ("intern", "music-therapy intern whose notes the therapist co-signs"),
    ("participant", "participant enrolled in a demo group"),
    ("luis", "participant who reads Refrain in Spanish"),
    ("artist", "teaching artist on one demo lullaby project"),
    ("jrivera", "therapist who co-leads demo groups"),
    ("pnatarajan", "therapist who co-leads demo groups"),
)


def demo_login_lines() -> list[str]:
    width = max(len(username) for username, _ in DEMO_LOGINS)
    return [f"{username.ljust(width)}  {who}" for username, who in DEMO_LOGINS]


# The participant record behind the `participant` demo login.
DEMO_PARTICIPANT = "tess"
# A participant whose pages and reminders are in Spanish, behind the `luis` demo login.
SPANISH_PARTICIPANT = "luis"

_EVENING = (time(21, 0), time(8, 0))
_LATE = (time(22, 0), time(7, 0))

PARTICIPANTS = (
    DemoParticipant("tess", HARBOR, "Theresa", "Nguyen", "Tess", "email", True),
    DemoParticipant("marcus", HARBOR, "Marcus", "Bell", "", "sms", True, "+15555550101", _EVENING),
    DemoParticipant("angie", HARBOR, "Angela", "Russo", "Angie", "email", True),
    DemoParticipant("deshawn", HARBOR, "DeShawn", "Carter", "", "sms", True, "+15555550102"),
    DemoParticipant("kayla", HARBOR, "Kayla", "O'Brien"),
    DemoParticipant(
        "luis", HARBOR, "Luis", "Ortega", "", "sms", True, "+15555550103", _LATE, language="es"
    ),
    DemoParticipant("bree", HARBOR, "Brianna", "Walsh", "Bree", "email", True),
    DemoParticipant("sam", HARBOR, "Samuel", "Kowalski", "Sam", "email", False),
    DemoParticipant("imani", HARBOR, "Imani", "Brooks", "", "sms", True, "+15555550104"),
    DemoParticipant("paddy", HARBOR, "Patrick", "Doyle", "Pat"),
    DemoParticipant(
        "rosa", HARBOR, "Rosa", "Delgado", "", "email", True, "", (time(20, 0), time(9, 0))
    ),
    DemoParticipant("tyler", HARBOR, "Tyler", "Hughes", "", "sms", False, "+15555550105"),
    DemoParticipant("becca", MESA, "Rebecca", "Yazzie", "Becca", "sms", True, "+15555550106"),
    DemoParticipant("danny", MESA, "Daniel", "Archuleta", "Danny", "email", True),
    DemoParticipant("crystal", MESA, "Crystal", "Begay", "", "sms", True, "+15555550107", _EVENING),
    DemoParticipant("mike", MESA, "Michael", "Sandoval", "Mike"),
    DemoParticipant("jess", MESA, "Jessica", "Lindqvist", "Jess", "email", True),
    DemoParticipant(
        "andre",
        MESA,
        "Andre",
        "Washington",
        "",
        "sms",
        True,
        "+15555550108",
        (time(21, 30), time(7, 30)),
    ),
    DemoParticipant("hannah", MESA, "Hannah", "Fischer", "", "email", False),
    DemoParticipant("beto", MESA, "Roberto", "Chávez", "Beto", "sms", True, "+15555550109"),
    DemoParticipant("courtney", MESA, "Courtney", "Mills", "", "email", True, "", _LATE),
    DemoParticipant("eli", MESA, "Elijah", "Martinez", "Eli"),
    DemoParticipant("naomi", MESA, "Naomi", "Tsosie", "", "sms", True, "+15555550110"),
    DemoParticipant("caleb", MESA, "Caleb", "Jensen", "", "email", True),
)

SONGWRITING = "Tuesday Songwriting Circle"
DRUMS = "Thursday Evening Drum Circle"
SINGERS = "Wednesday Community Singers"
LISTENING = "Friday Listening and Relaxation"

GROUPS = (
    DemoGroup(
        site=HARBOR,
        name=SONGWRITING,
        focus="Social connection in early recovery",
        enrollment="open",
        capacity=10,
        weekday=1,
        start_time=time(10, 0),
        duration_minutes=60,
        room="Studio B",
        lead="therapist",
        co=("jrivera",),
        activities=("songwriting", "lyric_analysis", "group_singing"),
    ),
    DemoGroup(
        site=HARBOR,
        name=DRUMS,
        focus="Rhythm-based stress regulation and peer support",
        enrollment="closed",
        capacity=12,
        weekday=3,
        start_time=time(17, 30),
        duration_minutes=75,
        room="Community Room",
        lead="jrivera",
        co=(),
        activities=("instrument_play", "improvisation", "group_singing"),
    ),
    DemoGroup(
        site=MESA,
        name=SINGERS,
        focus="Coping with cravings through shared singing",
        enrollment="open",
        capacity=12,
        weekday=2,
        start_time=time(13, 0),
        duration_minutes=60,
        room="Main Hall",
        lead="therapist",
        co=("pnatarajan", "intern"),
        activities=("group_singing", "lyric_analysis", "instrument_play"),
    ),
    DemoGroup(
        site=MESA,
        name=LISTENING,
        focus="Emotional regulation and sleep after withdrawal",
        enrollment="closed",
        capacity=8,
        weekday=4,
        start_time=time(10, 30),
        duration_minutes=90,
        room="Quiet Room",
        lead="pnatarajan",
        co=(),
        activities=("listening", "lyric_analysis", "improvisation"),
    ),
)

ENROLLMENTS = (
    DemoEnrollment(SONGWRITING, "tess", -21),
    DemoEnrollment(SONGWRITING, "marcus", -14),
    DemoEnrollment(SONGWRITING, "angie", -35),
    DemoEnrollment(SONGWRITING, "deshawn", 0),
    DemoEnrollment(SONGWRITING, "kayla", 13),
    DemoEnrollment(SONGWRITING, "luis", 27),
    DemoEnrollment(
        SONGWRITING, "bree", -28, 20, "discharged", "Moved out of the area; referred onward"
    ),
    DemoEnrollment(DRUMS, "marcus", -7),
    DemoEnrollment(DRUMS, "sam", -42),
    DemoEnrollment(DRUMS, "imani", 0),
    DemoEnrollment(DRUMS, "paddy", -10),
    DemoEnrollment(DRUMS, "rosa", 6),
    DemoEnrollment(DRUMS, "tyler", -3),
    DemoEnrollment(SINGERS, "becca", -30),
    DemoEnrollment(SINGERS, "danny", -12),
    DemoEnrollment(SINGERS, "crystal", -5),
    DemoEnrollment(SINGERS, "mike", 0),
    DemoEnrollment(SINGERS, "jess", -19),
    DemoEnrollment(SINGERS, "andre", 20),
    DemoEnrollment(
        SINGERS, "eli", -14, 27, "discharged", "Stepped down to outpatient care closer to home"
    ),
    DemoEnrollment(LISTENING, "hannah", -9),
    DemoEnrollment(LISTENING, "beto", -16),
    DemoEnrollment(LISTENING, "courtney", 0),
    DemoEnrollment(LISTENING, "naomi", -2),
    DemoEnrollment(LISTENING, "caleb", -25),
    DemoEnrollment(LISTENING, "becca", 14),
    DemoEnrollment(LISTENING, "crystal", 35),
)

# (group, index of the weekly occurrence counted from its first session, reason)
CANCELLATIONS = ((DRUMS, 4, "Facility closed for weather"),)
