"""How a reminder row becomes a message and goes out: when it may go (`timing`), what
it says (`compose`), and the channels that carry it (`delivery`, `sms`)."""
