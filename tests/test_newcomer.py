"""What a newcomer meets first: the two commands' setup levels and a README that tells the truth."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def dry_run(target):
    """The commands ``make TARGET`` would run on a machine without a virtual environment yet."""
    out = subprocess.run(["make", "-n", target, "VENV=/nonexistent/venv"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return [line for line in out.splitlines() if "pip install" in line and "--upgrade pip" not in line]


def test_make_run_installs_only_what_the_app_needs():
    installs = dry_run("run")
    assert installs, "make run installs the app"
    assert all(re.search(r"-e \.$", line.strip()) for line in installs), installs


def test_make_test_adds_the_test_and_postgres_extras():
    installs = " ".join(dry_run("test"))
    assert ".[test,postgres]" in installs


def test_make_bench_adds_its_own_extras():
    assert ".[bench,postgres]" in " ".join(dry_run("bench"))


def test_the_readme_states_the_python_version_and_how_to_reset_the_demo():
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11 or newer" in readme
    assert "make reset-demo" in readme
    assert "reset-demo:" in (ROOT / "Makefile").read_text()


def test_the_readme_claims_no_line_of_business_that_does_not_exist():
    """Breakfast and home services are named in the README only once their code exists."""
    readme = (ROOT / "README.md").read_text()
    unbuilt = {"breakfast|早餐": ROOT / "store_app" / "breakfast", "home services|marketplace|上门服务": ROOT / "services"}
    for words, home in unbuilt.items():
        if not home.is_dir():
            assert not re.search(words, readme, re.I), f"the README speaks of {words!r}, which is not built"


def test_ci_installs_the_cjk_fonts_for_screenshots():
    assert "fonts-noto-cjk" in (ROOT / ".ci" / "run").read_text()
