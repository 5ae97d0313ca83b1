// Tests for the Bitstream module.
