// The Entropy module. See spec/ and the files beside this one.
