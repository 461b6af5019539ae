"""The demo song library: traditional and public-domain songs only, so the demo data
can be shown, copied and printed anywhere."""

from typing import NamedTuple


class DemoSong(NamedTuple):
    title: str
    artist: str
    key: str
    tempo_bpm: int
    themes: tuple[str, ...]


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
    DemoSong("Amazing Grace", "John Newton", "G major", 72, ("hope", "gratitude", "resilience")),
    DemoSong("Shenandoah", "Traditional", "D major", 66, ("home", "journey", "nature")),
    DemoSong("Down in the Valley", "Traditional", "G major", 96, ("love", "nature")),
    DemoSong("Hush, Little Baby", "Traditional", "C major", 76, ("lullaby", "comfort", "love")),
    DemoSong("All the Pretty Little Horses", "Traditional", "D minor", 66, ("lullaby", "comfort")),
    DemoSong("Brahms' Lullaby", "Johannes Brahms", "F major", 63, ("lullaby", "comfort", "love")),
    DemoSong("Simple Gifts", "Joseph Brackett", "F major", 100, ("gratitude", "freedom", "hope")),
    DemoSong("The Water Is Wide", "Traditional", "F major", 72, ("love", "grief", "journey")),
    DemoSong("Wayfaring Stranger", "Traditional", "D minor", 70, ("journey", "grief", "home")),
    DemoSong("Swing Low, Sweet Chariot", "Traditional", "D major", 72, ("home", "hope", "comfort")),
    DemoSong(
        "Hard Times Come Again No More",
        "Stephen Foster",
        "F major",
        76,
        ("resilience", "community", "grief"),
    ),
    DemoSong("Beautiful Dreamer", "Stephen Foster", "C major", 88, ("love", "comfort")),
    DemoSong("Jeanie with the Light Brown Hair", "Stephen Foster", "F major", 80, ("love",)),
    DemoSong("Oh! Susanna", "Stephen Foster", "G major", 120, ("journey", "love")),
    DemoSong("Red River Valley", "Traditional", "F major", 96, ("love", "home", "grief")),
    DemoSong(
        "Home on the Range",
        "Brewster M. Higley and Daniel E. Kelley",
        "G major",
        100,
        ("home", "nature", "freedom"),
    ),
    DemoSong(
        "Keep on the Sunny Side",
        "Ada Blenkhorn and J. Howard Entwisle",
        "G major",
        112,
        ("hope", "resilience"),
    ),
    DemoSong("Shall We Gather at the River", "Robert Lowry", "D major", 88, ("community", "hope")),
    DemoSong("Deep River", "Traditional", "E-flat major", 60, ("home", "journey", "hope")),
    DemoSong("Wade in the Water", "Traditional", "G minor", 92, ("freedom", "resilience")),
    DemoSong("Danny Boy", "Frederic Weatherly", "E-flat major", 66, ("grief", "love", "home")),
    DemoSong("Scarborough Fair", "Traditional", "D dorian", 92, ("love", "grief")),
    DemoSong("Greensleeves", "Traditional", "A minor", 84, ("love", "grief")),
    DemoSong("Loch Lomond", "Traditional", "G major", 88, ("home", "journey", "love")),
    DemoSong("Skye Boat Song", "Traditional", "G major", 80, ("journey", "home", "comfort")),
    DemoSong("Auld Lang Syne", "Robert Burns", "F major", 76, ("community", "gratitude", "grief")),
    DemoSong(
        "The Parting Glass", "Traditional", "D major", 70, ("community", "grief", "gratitude")
    ),
    DemoSong("Down by the Riverside", "Traditional", "G major", 120, ("community", "freedom")),
    DemoSong("This Little Light of Mine", "Traditional", "G major", 108, ("hope", "resilience")),
    DemoSong("Twinkle, Twinkle, Little Star", "Jane Taylor", "C major", 90, ("lullaby", "nature")),
    DemoSong("Rock-a-bye Baby", "Traditional", "G major", 80, ("lullaby", "comfort")),
    DemoSong("Frère Jacques", "Traditional", "F major", 100, ("community",)),
    DemoSong(
        "When the Saints Go Marching In", "Traditional", "C major", 120, ("community", "hope")
    ),
    DemoSong(
        "Michael, Row the Boat Ashore", "Traditional", "D major", 96, ("journey", "freedom", "hope")
    ),
    DemoSong("Kumbaya", "Traditional", "D major", 72, ("community", "comfort")),
    DemoSong(
        "In the Sweet By and By",
        "Joseph P. Webster and S. Fillmore Bennett",
        "G major",
        88,
        ("hope", "grief", "home"),
    ),
    DemoSong("Cielito Lindo", "Quirino Mendoza y Cortés", "F major", 132, ("love", "hope")),
    DemoSong("De Colores", "Traditional", "D major", 104, ("nature", "gratitude", "love")),
    DemoSong("Ode to Joy", "Ludwig van Beethoven", "D major", 108, ("community", "gratitude")),
    DemoSong("Sakura Sakura", "Traditional", "A minor", 66, ("nature",)),
    DemoSong(
        "Sometimes I Feel Like a Motherless Child",
        "Traditional",
        "D minor",
        60,
        ("grief", "home", "resilience"),
    ),
    DemoSong("Go Tell It on the Mountain", "Traditional", "G major", 104, ("hope", "community")),
    DemoSong("Arirang", "Traditional", "G major", 72, ("journey", "grief", "home")),
    DemoSong("Las Mañanitas", "Traditional", "G major", 96, ("gratitude", "love", "community")),
)
