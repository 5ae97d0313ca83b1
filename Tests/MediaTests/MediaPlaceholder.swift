// Tests for the Media module.
