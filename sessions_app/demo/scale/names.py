"""Invented words for the scale data set: places, people, groups, reasons.

Site names and addresses appear in participant reminders, so they say where and never
what for (as in the demo cast).
"""

import random
from datetime import time

# (place, street, city and state, time zone): a regional network across US zones.
SITE_PLACES = (
    ("Harbor Street", "Harbor Street", "Portland, ME 04101", "America/New_York"),
    ("Riverside", "Water Street", "Bangor, ME 04401", "America/New_York"),
    ("Maple Hill", "Maple Avenue", "Burlington, VT 05401", "America/New_York"),
    ("Lakeview", "Lake Road", "Albany, NY 12207", "America/New_York"),
    ("Cedar Park", "Cedar Lane", "Scranton, PA 18503", "America/New_York"),
    ("Beacon", "Beacon Street", "Worcester, MA 01608", "America/New_York"),
    ("Old Mill", "Mill Road", "Dayton, OH 45402", "America/New_York"),
    ("Northgate", "North Avenue", "Louisville, KY 40202", "America/New_York"),
    ("Prairie View", "Prairie Road", "Springfield, IL 62701", "America/Chicago"),
    ("Bluff Street", "Bluff Street", "Dubuque, IA 52001", "America/Chicago"),
    ("Twin Oaks", "Oak Street", "Madison, WI 53703", "America/Chicago"),
    ("Bayou", "Magnolia Street", "Lafayette, LA 70501", "America/Chicago"),
    ("Crossroads", "Main Street", "Tulsa, OK 74103", "America/Chicago"),
    ("Red River", "River Road", "Fargo, ND 58102", "America/Chicago"),
    ("Mesa", "Mesa Avenue", "Grand Junction, CO 81501", "America/Denver"),
    ("Foothills", "Canyon Road", "Boise, ID 83702", "America/Boise"),
    ("High Plains", "Plains Avenue", "Cheyenne, WY 82001", "America/Denver"),
    ("Desert Bloom", "Saguaro Way", "Tucson, AZ 85701", "America/Phoenix"),
    ("Canyon", "Sandstone Drive", "Flagstaff, AZ 86001", "America/Phoenix"),
    ("Pacific", "Ocean Avenue", "Eugene, OR 97401", "America/Los_Angeles"),
    ("Redwood", "Redwood Highway", "Eureka, CA 95501", "America/Los_Angeles"),
    ("Sound View", "Bay Street", "Tacoma, WA 98402", "America/Los_Angeles"),
)
SITE_KINDS = ("Center", "Community House", "Commons", "Hall", "Place", "House")

FIRST_NAMES = (
    "Aaliyah", "Aaron", "Abigail", "Adam", "Aisha", "Alex", "Alicia", "Amanda", "Andre",
    "Angela", "Anthony", "Ashley", "Benjamin", "Brandon", "Brianna", "Caleb", "Carlos",
    "Carmen", "Chloe", "Christopher", "Crystal", "Daniel", "Danielle", "David", "DeShawn",
    "Destiny", "Diego", "Dominic", "Elena", "Elijah", "Elizabeth", "Emily", "Eric",
    "Gabriel", "Grace", "Hannah", "Imani", "Isaiah", "Jacob", "Jamal", "Jasmine", "Jason",
    "Jennifer", "Jessica", "Joseph", "Joshua", "Juan", "Julia", "Justin", "Kayla",
    "Keisha", "Kevin", "Kyle", "Latoya", "Lauren", "Luis", "Marcus", "Maria", "Matthew",
    "Megan", "Michael", "Michelle", "Miguel", "Naomi", "Nathan", "Nicole", "Noah",
    "Olivia", "Patrick", "Priya", "Rachel", "Rebecca", "Ricardo", "Robert", "Rosa",
    "Samantha", "Samuel", "Sarah", "Shawn", "Sofia", "Stephanie", "Tamika", "Theresa",
    "Thomas", "Tyler", "Valerie", "Victoria", "William", "Xavier", "Yesenia", "Zachary",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Alvarez", "Archuleta", "Baker", "Begay", "Bell", "Brooks", "Brown",
    "Carter", "Castillo", "Chavez", "Clark", "Collins", "Cruz", "Delgado", "Diaz",
    "Doyle", "Edwards", "Evans", "Fischer", "Flores", "Garcia", "Gomez", "Gonzalez",
    "Green", "Hall", "Harris", "Hernandez", "Hill", "Hughes", "Jackson", "James",
    "Jensen", "Johnson", "Jones", "Kelly", "Kim", "King", "Kowalski", "Lee", "Lewis",
    "Lindqvist", "Lopez", "Martin", "Martinez", "Miller", "Mills", "Mitchell", "Moore",
    "Morales", "Morgan", "Murphy", "Nguyen", "O'Brien", "Okafor", "Ortega", "Ortiz",
    "Parker", "Patel", "Perez", "Phillips", "Ramirez", "Reed", "Reyes", "Rivera",
    "Roberts", "Robinson", "Rodriguez", "Russo", "Sanchez", "Sandoval", "Scott",
    "Smith", "Stewart", "Taylor", "Thomas", "Thompson", "Torres", "Tsosie", "Turner",
    "Walker", "Walsh", "Washington", "White", "Williams", "Wilson", "Wright", "Yazzie",
    "Young",
)  # fmt: skip
NICKNAMES = {
    "Alexander": ("Alex",), "Angela": ("Angie",), "Anthony": ("Tony",),
    "Benjamin": ("Ben",), "Brianna": ("Bree",), "Christopher": ("Chris",),
    "Daniel": ("Danny", "Dan"), "David": ("Dave",), "Elizabeth": ("Liz", "Beth"),
    "Jennifer": ("Jen",), "Jessica": ("Jess",), "Joseph": ("Joe",), "Joshua": ("Josh",),
    "Matthew": ("Matt",), "Michael": ("Mike",), "Nicole": ("Nikki",), "Patrick": ("Pat",),
    "Rebecca": ("Becca",), "Robert": ("Rob", "Bobby"), "Samantha": ("Sam",),
    "Samuel": ("Sam",), "Theresa": ("Tess",), "Thomas": ("Tom",), "William": ("Will",),
    "Zachary": ("Zach",),
}  # fmt: skip

CREDENTIALS = ("MT-BC", "MT-BC", "MT-BC", "MT-BC, LCAT", "MT-BC, NMT", "MT-BC (intern)")
QUIET_HOURS = ((time(21), time(8)), (time(22), time(7)), (time(20), time(9)))

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# (signature activity, name) of a group.
GROUP_KINDS = (
    ("songwriting", "Songwriting Circle"),
    ("instrument_play", "Drum Circle"),
    ("group_singing", "Community Singers"),
    ("listening", "Listening and Relaxation"),
    ("lyric_analysis", "Lyric Lab"),
    ("improvisation", "Improvisation Group"),
    ("group_singing", "Morning Voices"),
    ("songwriting", "Family Songs"),
    ("instrument_play", "Rhythm and Recovery"),
    ("relaxation", "Evening Wind-Down"),
)
FOCUSES = (
    "Social connection in early recovery",
    "Rhythm-based stress regulation and peer support",
    "Emotional expression and coping skills",
    "Relapse prevention through shared music-making",
    "Parenting and attachment through song",
    "Grief and loss",
    "Self-regulation and relaxation before discharge",
    "Peer support after residential treatment",
)
ROOMS = ("Studio A", "Studio B", "Community Room", "Room 101", "Room 204", "Music Room", "Hall")

CANCEL_REASONS = (
    "Therapist unwell",
    "Building closed for weather",
    "Holiday",
    "Room unavailable; no alternative",
    "Staff training day",
)
MOVE_REASONS = ("Room booked for a site meeting", "Moved to fit the van schedule")
DISCHARGE_REASONS = (
    "Discharged from residential treatment",
    "Moved out of the area; referred onward",
    "Transferred to an outpatient programme",
    "Stepped down to aftercare",
)
WITHDRAW_REASONS = (
    "Started a new job; schedule conflict",
    "Chose to stop; invited back any time",
    "Childcare during group hours",
)
DRIFT_REASONS = (
    "Stopped attending; no response to outreach",
    "Stopped attending after three missed weeks",
)

NOTE_LINES = (
    "Group engaged in a check-in song and shared one word each for their week.",
    "Members co-wrote a verse about a place that feels safe; all contributed a line.",
    "Drumming built a shared pulse; two members led the groove for the first time.",
    "Lyric analysis of a familiar song opened a discussion of hope and setbacks.",
    "Relaxation with guided breathing closed the group; members reported feeling calmer.",
    "Energy was low at the start and lifted through call-and-response singing.",
)
PLAN_LINES = (
    "Continue the songwriting project next week.",
    "Introduce hand drums to support turn-taking.",
    "Revisit this week's chorus and record a group version.",
    "Check in with members who were absent.",
)
PARTICIPANT_NOTE_LINES = (
    "Participated fully; offered a line for the group verse.",
    "Quiet at first, joined in on the chorus.",
    "Led the rhythm for the closing song.",
    "Shared a memory connected to the song; peers responded warmly.",
    "Arrived late; engaged once settled.",
    "Left early for an appointment; engaged while present.",
)
REFLECTION_WORDS = (
    "Singing together made the room feel lighter.",
    "I didn't want to come today, and I'm glad I did.",
    "The drums helped me get out of my head for a while.",
    "Hearing everyone's verse made me feel less alone.",
    "Quiet today. The last song stayed with me on the walk home.",
    "I sang louder than last week.",
    "",
    "",
)
SONG_WORDS = (
    "Morning", "River", "Lantern", "Harbor", "Window", "Garden", "Highway", "Porch",
    "Mountain", "Sparrow", "Kitchen", "Letter", "Bridge", "Candle", "Thunder", "Willow",
    "Meadow", "Compass", "Shoreline", "Ember",
)  # fmt: skip
SONG_SHAPES = (
    "{a} Song", "Back to the {a}", "{a} and {b}", "The {a} Road", "Under the {a}",
    "Home by the {a}", "Little {a}", "{a} Lullaby", "Across the {a}", "{a} Blues",
)  # fmt: skip
KEYS = ("C major", "G major", "D major", "F major", "A minor", "E minor", "D minor", "Bb major")


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
