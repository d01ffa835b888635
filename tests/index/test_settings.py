"""Settings in sections, set by the same ZLY_* names as before the sections, and the README's table."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from index.settings import SECTION_OF, Settings, markdown_table

ROOT = Path(__file__).resolve().parents[2]


def test_flat_env_names_and_settings_file_set_their_sections(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # settings.env is read from the working directory
    (tmp_path / "settings.env").write_text("ZLY_ANSWERER=openai\nZLY_OPENAI_MODEL=deepseek-chat\nZLY_TOP_K=3\n"
                                           "ZLY_SOMETHING_ELSE=1\n", encoding="utf-8")
    monkeypatch.setenv("ZLY_TOP_K", "5")  # the environment wins over the file
    monkeypatch.setenv("ZLY_MAX_FILE_CHARS", "9000")
    monkeypatch.setenv("ZLY_ALLOWED_EXTS", '[".txt", ".pdf"]')
    s = Settings(_env_file="settings.env")
    assert s.answer.answerer == "openai" and s.llm.openai_model == "deepseek-chat"
    assert s.retrieval.top_k == 5 and s.index.max_file_chars == 9000
    assert s.security.allowed_exts == (".txt", ".pdf")
    assert Settings(_env_file="settings.env", top_k=7).retrieval.top_k == 7  # keyword arguments win over both


def test_values_are_validated(monkeypatch):
    monkeypatch.setenv("ZLY_TOP_K", "many")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.delenv("ZLY_TOP_K")
    with pytest.raises(ValidationError):
        Settings(answerer="gpt")  # not one of the answerers
    with pytest.raises(ValidationError):
        Settings(top_kk=3)  # a misspelt name is an error, not silently ignored
    with pytest.raises(ValidationError):
        Settings().with_(embed_backend="tpu")


def test_with_changes_one_value_and_keeps_the_rest(tmp_path):
    base = Settings(data_dir=tmp_path, top_k=4)
    changed = base.with_(answerer="llamacpp", candidates=12)
    assert (changed.answer.answerer, changed.retrieval.candidates, changed.retrieval.top_k) == ("llamacpp", 12, 4)
    assert changed.index.data_dir == tmp_path and base.answer.answerer == "extractive"


def test_every_field_name_is_its_env_var_in_one_section():
    table = markdown_table()
    for name, section in SECTION_OF.items():
        assert re.search(rf"^\| `ZLY_{name.upper()}` \| {section} \|", table, re.M), name


def test_readme_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text("utf-8")
    shown = re.search(r"<!-- settings-table:.*?-->\n(.*?)\n<!-- end settings-table -->", readme, re.S).group(1)
    printed = subprocess.run([sys.executable, "-m", "index.settings", "--markdown"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
    assert shown == printed
