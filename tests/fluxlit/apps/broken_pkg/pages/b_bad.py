def register(app):
    raise RuntimeError("bad page module")
