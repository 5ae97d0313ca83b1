// Tests for the Entropy module.
