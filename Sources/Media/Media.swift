// The Media module. See spec/ and the files beside this one.
