"""The FluxLit compiler: manifest front end, IR checks and template back end."""
