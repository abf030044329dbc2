"""Messages to stakeholders: channels, the outbox, and sending through Apprise when asked."""
