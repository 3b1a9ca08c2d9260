"""Orders: one order model for every channel, its lifecycle, history and placement."""
