"""The demo song library: traditional and public-domain songs only, so the demo data
can be shown, copied and printed anywhere."""

from typing import NamedTuple

# The goal areas Refrain starts with (a migration makes them; the demo makes sure).
SOCIAL = "Social connection"
EXPRESSION = "Emotional expression"
CRAVING = "Coping with craving"
RELAXATION = "Relaxation and self-regulation"
COMMUNICATION = "Communication"
IDENTITY = "Self-esteem and identity"
ATTENTION = "Attention and focus"
FAMILY = "Parenting and family"
MOTOR = "Physical and motor"
GOAL_AREAS = (
    SOCIAL,
    EXPRESSION,
    CRAVING,
    RELAXATION,
    COMMUNICATION,
    IDENTITY,
    ATTENTION,
    FAMILY,
    MOTOR,
)


class DemoSong(NamedTuple):
    title: str
    artist: str
    key: str
    tempo_bpm: int
    themes: tuple[str, ...]
    goal_areas: tuple[str, ...] = ()
    # Drinking or drugs in the words, even in passing (a toast, a pint, a jar).
    mentions_substance_use: bool = False


THEMES = (
    "comfort",
    "community",
    "freedom",
    "gratitude",
    "grief",
    "home",
    "hope",
    "journey",
    "love",
    "lullaby",
    "nature",
    "resilience",
)

SONGS: tuple[DemoSong, ...] = (
    DemoSong(
        "Amazing Grace",
        "John Newton",
        "G major",
        72,
        ("hope", "gratitude", "resilience"),
        (CRAVING, IDENTITY, EXPRESSION),
    ),
    DemoSong(
        "Shenandoah",
        "Traditional",
        "D major",
        66,
        ("home", "journey", "nature"),
        (EXPRESSION, RELAXATION),
    ),
    DemoSong(
        "Down in the Valley",
        "Traditional",
        "G major",
        96,
        ("love", "nature"),
        (RELAXATION, EXPRESSION),
    ),
    DemoSong(
        "Hush, Little Baby",
        "Traditional",
        "C major",
        76,
        ("lullaby", "comfort", "love"),
        (FAMILY, RELAXATION),
    ),
    DemoSong(
        "All the Pretty Little Horses",
        "Traditional",
        "D minor",
        66,
        ("lullaby", "comfort"),
        (FAMILY, RELAXATION),
    ),
    DemoSong(
        "Brahms' Lullaby",
        "Johannes Brahms",
        "F major",
        63,
        ("lullaby", "comfort", "love"),
        (FAMILY, RELAXATION),
    ),
    DemoSong(
        "Simple Gifts",
        "Joseph Brackett",
        "F major",
        100,
        ("gratitude", "freedom", "hope"),
        (IDENTITY, MOTOR),
    ),
    DemoSong(
        "The Water Is Wide",
        "Traditional",
        "F major",
        72,
        ("love", "grief", "journey"),
        (EXPRESSION,),
    ),
    DemoSong(
        "Wayfaring Stranger",
        "Traditional",
        "D minor",
        70,
        ("journey", "grief", "home"),
        (EXPRESSION, IDENTITY),
    ),
    DemoSong(
        "Swing Low, Sweet Chariot",
        "Traditional",
        "D major",
        72,
        ("home", "hope", "comfort"),
        (SOCIAL, RELAXATION),
    ),
    DemoSong(
        "Hard Times Come Again No More",
        "Stephen Foster",
        "F major",
        76,
        ("resilience", "community", "grief"),
        (CRAVING, EXPRESSION, SOCIAL),
    ),
    DemoSong(
        "Beautiful Dreamer", "Stephen Foster", "C major", 88, ("love", "comfort"), (RELAXATION,)
    ),
    DemoSong(
        "Jeanie with the Light Brown Hair",
        "Stephen Foster",
        "F major",
        80,
        ("love",),
        (EXPRESSION,),
    ),
    DemoSong("Oh! Susanna", "Stephen Foster", "G major", 120, ("journey", "love"), (MOTOR, SOCIAL)),
    DemoSong(
        "Red River Valley",
        "Traditional",
        "F major",
        96,
        ("love", "home", "grief"),
        (EXPRESSION, COMMUNICATION),
    ),
    DemoSong(
        "Home on the Range",
        "Brewster M. Higley and Daniel E. Kelley",
        "G major",
        100,
        ("home", "nature", "freedom"),
        (RELAXATION, SOCIAL),
    ),
    DemoSong(
        "Keep on the Sunny Side",
        "Ada Blenkhorn and J. Howard Entwisle",
        "G major",
        112,
        ("hope", "resilience"),
        (CRAVING, IDENTITY),
    ),
    DemoSong(
        "Shall We Gather at the River",
        "Robert Lowry",
        "D major",
        88,
        ("community", "hope"),
        (SOCIAL,),
    ),
    DemoSong(
        "Deep River",
        "Traditional",
        "E-flat major",
        60,
        ("home", "journey", "hope"),
        (RELAXATION, EXPRESSION),
    ),
    DemoSong(
        "Wade in the Water",
        "Traditional",
        "G minor",
        92,
        ("freedom", "resilience"),
        (MOTOR, IDENTITY),
    ),
    DemoSong(
        "Danny Boy",
        "Frederic Weatherly",
        "E-flat major",
        66,
        ("grief", "love", "home"),
        (EXPRESSION, FAMILY),
    ),
    DemoSong(
        "Scarborough Fair",
        "Traditional",
        "D dorian",
        92,
        ("love", "grief"),
        (ATTENTION, EXPRESSION),
    ),
    DemoSong(
        "Greensleeves", "Traditional", "A minor", 84, ("love", "grief"), (RELAXATION, ATTENTION)
    ),
    DemoSong(
        "Loch Lomond",
        "Traditional",
        "G major",
        88,
        ("home", "journey", "love"),
        (EXPRESSION, SOCIAL),
    ),
    DemoSong(
        "Skye Boat Song",
        "Traditional",
        "G major",
        80,
        ("journey", "home", "comfort"),
        (RELAXATION,),
    ),
    DemoSong(
        "Auld Lang Syne",
        "Robert Burns",
        "F major",
        76,
        ("community", "gratitude", "grief"),
        (SOCIAL, EXPRESSION),
        mentions_substance_use=True,
    ),
    DemoSong(
        "The Parting Glass",
        "Traditional",
        "D major",
        70,
        ("community", "grief", "gratitude"),
        (SOCIAL, EXPRESSION, CRAVING),
        mentions_substance_use=True,
    ),
    # A drinking song: some groups choose it on purpose for lyric analysis, others leave it out.
    DemoSong(
        "Whiskey in the Jar",
        "Traditional",
        "D major",
        112,
        ("love", "freedom"),
        (CRAVING, EXPRESSION),
        mentions_substance_use=True,
    ),
    DemoSong(
        "Down by the Riverside",
        "Traditional",
        "G major",
        120,
        ("community", "freedom"),
        (SOCIAL, MOTOR),
    ),
    DemoSong(
        "This Little Light of Mine",
        "Traditional",
        "G major",
        108,
        ("hope", "resilience"),
        (IDENTITY, SOCIAL),
    ),
    DemoSong(
        "Twinkle, Twinkle, Little Star",
        "Jane Taylor",
        "C major",
        90,
        ("lullaby", "nature"),
        (FAMILY, ATTENTION),
    ),
    DemoSong(
        "Rock-a-bye Baby",
        "Traditional",
        "G major",
        80,
        ("lullaby", "comfort"),
        (FAMILY, RELAXATION),
    ),
    DemoSong("Frère Jacques", "Traditional", "F major", 100, ("community",), (ATTENTION, SOCIAL)),
    DemoSong(
        "When the Saints Go Marching In",
        "Traditional",
        "C major",
        120,
        ("community", "hope"),
        (MOTOR, SOCIAL),
    ),
    DemoSong(
        "Michael, Row the Boat Ashore",
        "Traditional",
        "D major",
        96,
        ("journey", "freedom", "hope"),
        (COMMUNICATION, MOTOR),
    ),
    DemoSong(
        "Kumbaya", "Traditional", "D major", 72, ("community", "comfort"), (SOCIAL, RELAXATION)
    ),
    DemoSong(
        "In the Sweet By and By",
        "Joseph P. Webster and S. Fillmore Bennett",
        "G major",
        88,
        ("hope", "grief", "home"),
        (EXPRESSION,),
    ),
    DemoSong(
        "Cielito Lindo",
        "Quirino Mendoza y Cortés",
        "F major",
        132,
        ("love", "hope"),
        (IDENTITY, SOCIAL),
    ),
    DemoSong(
        "De Colores",
        "Traditional",
        "D major",
        104,
        ("nature", "gratitude", "love"),
        (FAMILY, IDENTITY),
    ),
    DemoSong(
        "Ode to Joy",
        "Ludwig van Beethoven",
        "D major",
        108,
        ("community", "gratitude"),
        (ATTENTION, SOCIAL),
    ),
    DemoSong("Sakura Sakura", "Traditional", "A minor", 66, ("nature",), (RELAXATION, ATTENTION)),
    DemoSong(
        "Sometimes I Feel Like a Motherless Child",
        "Traditional",
        "D minor",
        60,
        ("grief", "home", "resilience"),
        (EXPRESSION, FAMILY),
    ),
    DemoSong(
        "Go Tell It on the Mountain",
        "Traditional",
        "G major",
        104,
        ("hope", "community"),
        (COMMUNICATION, SOCIAL),
    ),
    DemoSong(
        "Arirang",
        "Traditional",
        "G major",
        72,
        ("journey", "grief", "home"),
        (IDENTITY, EXPRESSION),
    ),
    DemoSong(
        "Las Mañanitas",
        "Traditional",
        "G major",
        96,
        ("gratitude", "love", "community"),
        (FAMILY, SOCIAL),
    ),
)
