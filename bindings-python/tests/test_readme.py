"""The README's Python snippets run as written."""
import pathlib
import re


def test_readme_python_blocks_run(monkeypatch):
    root = pathlib.Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    readme = (root / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "the README has Python examples"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
