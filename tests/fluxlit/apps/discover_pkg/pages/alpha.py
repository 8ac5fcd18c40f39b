"""Registers a page at /z-alpha."""


def register(app):
    @app.page("/z-alpha", title="Alpha")
    def alpha(st, client):
        st.write("alpha")
