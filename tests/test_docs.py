from pathlib import Path

from geo.schema import markdown_tables

ROOT = Path(__file__).resolve().parent.parent


def test_data_readme_field_tables_match_the_schema():
    assert markdown_tables() in (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def test_readme_gives_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/run.sh" in readme and "bash scripts/test.sh" in readme


def test_data_readme_states_the_schemas_limits():
    from geo import schema

    readme = " ".join((ROOT / "data" / "README.md").read_text(encoding="utf-8").split())
    assert f"larger than {schema.MAX_FILE_BYTES // (1024 * 1024)} MB" in readme
    assert f"deeper than {schema.MAX_JSON_DEPTH} levels" in readme
    assert f"more than {schema.MAX_RECORDS:,} records" in readme
    assert f"a `name` may have {schema.deployment_field('name').longest} characters" in readme
    assert f"a `description` {schema.deployment_field('description').longest:,}" in readme
