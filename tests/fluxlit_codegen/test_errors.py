"""Problems read like compiler errors; ManifestError lists them in file order."""

from __future__ import annotations

from fluxlit_codegen.errors import ManifestError, Problem


def test_problem_reads_file_line_column_key_message_suggestion() -> None:
    problem = Problem(
        "fluxlit.toml",
        12,
        11,
        "pages[2].handler",
        "expected \"module:function\", got 'myapp.pages.home'",
        expected='"module:function"',
        suggestion="myapp.pages:home",
    )
    assert str(problem) == (
        'fluxlit.toml:12:11: pages[2].handler: expected "module:function", '
        "got 'myapp.pages.home' (did you mean 'myapp.pages:home'?)"
    )


def test_problem_without_key_or_suggestion() -> None:
    assert str(Problem("fluxlit.toml", 1, 9, "", "invalid TOML")) == (
        "fluxlit.toml:1:9: invalid TOML"
    )


def test_manifest_error_sorts_by_position_and_lists_one_per_line() -> None:
    late = Problem("fluxlit.toml", 9, 1, "b", "second")
    early = Problem("fluxlit.toml", 2, 5, "a", "first")
    error = ManifestError([late, early])
    assert error.problems == [early, late]
    assert str(error) == "fluxlit.toml:2:5: a: first\nfluxlit.toml:9:1: b: second"
