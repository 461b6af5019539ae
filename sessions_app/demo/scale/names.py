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


# --- Treatment planning ----------------------------------------------------------------------

# Assessment areas: a few phrases each, combined at random.
ASSESSMENT_LINES = {
    "referral": (
        "Referred by the residential team to support emotional expression in early recovery.",
        "Self-referred after hearing the drum circle; wants a non-verbal outlet.",
        "Referred by the counsellor for isolation and low motivation in groups.",
        "Referred by the outpatient programme to build coping skills for craving.",
    ),
    "music_background": (
        "Sang in a church choir as a child; prefers soul and gospel.",
        "Played guitar as a teenager; listens to classic rock and country.",
        "No formal training; hip-hop and R&B matter most; avoids songs tied to using.",
        "Enjoys folk and singer-songwriters; curious about hand drums.",
        "Played trumpet in school band; prefers jazz and Latin music.",
    ),
    "social": (
        "Guarded with peers at first; warms up in structured activities.",
        "Sociable; tends to take care of others before self.",
        "Limited supports outside treatment; isolates when stressed.",
    ),
    "emotional": (
        "Flat affect on intake; describes anxiety in the evenings.",
        "Strong feelings close to the surface; music can help name them.",
        "Reports craving when bored or after conflict at home.",
    ),
    "cognitive": (
        "Follows multi-step directions; attention drifts after 20 minutes.",
        "Good insight into triggers; some difficulty with short-term recall.",
        "Oriented and engaged; benefits from written lyric sheets.",
    ),
    "communication": (
        "Speaks briefly in groups; more expressive through rhythm.",
        "Articulate; sometimes talks over peers.",
        "Prefers to write rather than speak; shares through lyrics.",
    ),
    "physical": (
        "No limitations to playing reported.",
        "Mild tremor in the right hand; prefers larger percussion.",
        "Shortness of breath on exertion; paces singing accordingly.",
    ),
    "strengths": (
        "Humour, persistence, and a supportive sister.",
        "Motivated by their children; a sponsor they trust.",
        "Creative, reliable, enjoys helping others learn a part.",
    ),
    "summary": (
        "Recommend weekly group music therapy focused on expression and coping.",
        "Recommend group songwriting and rhythm work to build connection and regulation.",
        "Recommend receptive and re-creative methods to support relaxation and self-esteem.",
    ),
}

# Per goal area: (needs, goal statements, in plain words, behaviours for objectives).
GOAL_TEXT = {
    "Social connection": (
        ("Isolates from peers and has few sober supports.", "Withdraws in groups."),
        ("Increase positive peer interaction.", "Build connection with sober peers."),
        ("Feel less alone and connect with others in group.", "Make friends in group."),
        (
            "initiate an interaction with a peer during music-making",
            "share a song choice and say why it matters",
            "offer feedback on a peer's verse",
        ),
    ),
    "Emotional expression": (
        ("Difficulty naming and expressing feelings.", "Bottles up anger until it spills."),
        ("Improve identification and expression of emotions.", "Express feelings safely."),
        ("Put feelings into words and music.", "Let feelings out in a safe way."),
        (
            "name a feeling connected to a song",
            "write a lyric line about a current feeling",
            "use an instrument to show a feeling and describe it",
        ),
    ),
    "Coping with craving": (
        ("Craving peaks in the evenings and after conflict.", "Few coping skills for urges."),
        ("Develop music-based coping skills for craving.", "Reduce the impact of triggers."),
        ("Have songs and skills ready for when cravings hit.", "Handle cravings better."),
        (
            "identify two songs for a coping playlist",
            "describe one trigger and a music-based response",
            "rate craving before and after the session and discuss the change",
        ),
    ),
    "Relaxation and self-regulation": (
        ("High anxiety and restlessness.", "Trouble settling after stressful events."),
        ("Increase self-regulation skills.", "Use music to lower stress."),
        ("Calm down when things get hard.", "Feel more relaxed."),
        (
            "follow a guided breathing exercise with music",
            "match a steady drum pulse for a full song",
            "name one relaxation strategy used during the week",
        ),
    ),
    "Communication": (
        ("Speaks rarely in groups.", "Interrupts peers and struggles to listen."),
        ("Improve turn-taking and listening.", "Increase verbal participation."),
        ("Speak up and listen well in group.", "Take turns and be heard."),
        (
            "take turns in a call-and-response pattern",
            "verbally contribute to group discussion",
            "wait for a peer to finish a musical phrase before responding",
        ),
    ),
    "Self-esteem and identity": (
        ("Negative self-talk and shame about use.", "Low confidence in own abilities."),
        ("Build a positive sense of self.", "Increase self-worth in recovery."),
        ("Feel better about who I am.", "Be proud of what I can do."),
        (
            "state one personal strength in a song or discussion",
            "perform a part for the group",
            "write a lyric about a hope for the future",
        ),
    ),
    "Attention and focus": (
        ("Attention drifts in longer activities.", "Easily distracted in groups."),
        ("Increase sustained attention.", "Improve focus in structured tasks."),
        ("Stay focused for longer.", "Keep my mind on the task."),
        (
            "keep a rhythm pattern for the length of a song",
            "follow a lyric sheet through a whole song",
            "stay with the group activity without leaving the room",
        ),
    ),
    "Parenting and family": (
        ("Strained relationships with children.", "Wants to reconnect with family."),
        ("Strengthen family bonds through music.", "Build parenting confidence."),
        ("Reconnect with my kids.", "Be the parent I want to be."),
        (
            "choose or write a song to share with a family member",
            "describe a musical activity to do at home",
            "write a lullaby verse for their child",
        ),
    ),
    "Physical and motor": (
        ("Reduced stamina and coordination.", "Tension in shoulders and hands."),
        ("Improve coordination and stamina.", "Reduce physical tension."),
        ("Get my body moving and loosen up.", "Feel stronger and steadier."),
        (
            "play a steady beat with alternating hands",
            "stand and move to music for one song",
            "complete a warm-up of stretching to music",
        ),
    ),
}
# Goal areas weighted by how often they come up in substance-use treatment.
GOAL_AREA_WEIGHTS = {
    "Social connection": 16,
    "Emotional expression": 16,
    "Coping with craving": 18,
    "Relaxation and self-regulation": 14,
    "Communication": 8,
    "Self-esteem and identity": 12,
    "Attention and focus": 5,
    "Parenting and family": 7,
    "Physical and motor": 4,
}
CRITERIA = (
    "in 3 of 4 sessions",
    "at least once per session",
    "with no more than one prompt",
    "in 4 of 5 consecutive sessions",
    "independently, in 2 of 3 sessions",
    "for at least 10 minutes",
)
PLAN_METHODS = ("receptive", "recreative", "improvisational", "compositional")
PROGRESS_OBSERVATIONS = {
    "not_addressed": ("Not the focus today.", "Left before this activity."),
    "minimal": ("Needed several prompts.", "Watched more than joined in.", "Brief attempt."),
    "moderate": ("Joined with one prompt.", "Contributed a line.", "Held the pattern briefly."),
    "significant": ("Led the activity.", "Did this without prompting.", "Helped a peer."),
    "met": ("Met the criterion again today.", "Consistently independent now."),
}
REPORT_PROGRESS = (
    "Steady progress on all objectives; most now at a moderate level.",
    "Significant progress on coping objectives; social goal still emerging.",
    "Progress slowed after missed sessions; re-engaged in the last two weeks.",
    "Met one objective; others continue with good engagement.",
)
REPORT_MEASURES = (
    "Loneliness (UCLA-3) lower than at intake.",
    "Craving ratings fall across most sessions.",
    "Mood improves from before to after sessions on most check-ins.",
    "Scores stable over the period.",
)
REPORT_RECOMMENDATIONS = (
    "Continue weekly group; review the plan at the next review date.",
    "Continue; add songwriting to support expression.",
    "Continue; encourage a coping playlist for evenings.",
    "Continue with focus on attendance; outreach after missed sessions.",
)
DISCHARGE_RECOMMENDATIONS = (
    "Continue using the coping playlist; community choir suggested.",
    "Referred to aftercare music group; keep the songs written here.",
    "Encouraged to keep drumming with the peer group that meets on Saturdays.",
)
ADDENDUM_LINES = (
    "Correction: attendance for the period was one session higher than stated.",
    "Added: the participant asked that their song be shared with their counsellor.",
    "Clarification: the objective met was the coping objective, not the social one.",
)
