"""Registered second by module order, sorted first by path."""


def register(app):
    @app.page("/a-zeta", title="Zeta")
    def zeta(st, client):
        st.write("zeta")
