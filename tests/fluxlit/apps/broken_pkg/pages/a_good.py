def register(app):
    @app.page("/good")
    def good(st, client):
        st.write("good")
