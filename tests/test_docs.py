from pathlib import Path

from geo.schema import markdown_tables

ROOT = Path(__file__).resolve().parent.parent


def test_data_readme_field_tables_match_the_schema():
    assert markdown_tables() in (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def test_readme_gives_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run.sh" in readme and "bash scripts/test.sh" in readme
