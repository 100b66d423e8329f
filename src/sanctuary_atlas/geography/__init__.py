"""Reference geography: states, counties, ICE Areas of Responsibility, location resolution."""
