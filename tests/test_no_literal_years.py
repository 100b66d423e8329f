"""Issue 14: no period is a literal year. Default periods, windows and clips come from the
records (the months a release covers); a date written in the code is a fact with its source."""

from __future__ import annotations

import re

from tests.conftest import REPO

# a date() of a year, or a "YYYY-MM" string, in code (comments and docstrings aside)
LITERAL = re.compile(r"date\((19|20)\d\d\b|[\"'](19|20)\d\d-\d\d")
# the dates the code may hold, each a fact, not a period: the DHS list's publication day, the
# lower sentinel of an open precedence range, the placeholder dates ICE's releases use for
# "no date", and an example month in the API's documentation
FACTS = {
    "policies/dhs_list.py": ("PUBLISHED = date(2025, 5, 29)",),
    "releases/precedence.py": ("date(1900, 1, 1)",),
    "releases/normalise.py": ("DATE '1900-01-02'", "DATE '1970-01-01'"),
    "web/params.py": ('examples=["2019-01"]',),
}


def test_no_literal_year_is_a_default_period() -> None:
    found = []
    for path in sorted((REPO / "src" / "sanctuary_atlas").rglob("*.py")):
        name = path.relative_to(REPO / "src" / "sanctuary_atlas").as_posix()
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if not LITERAL.search(code) or code.lstrip().startswith(('"', "'")):
                continue
            if any(fact in code for fact in FACTS.get(name, ())):
                continue
            found.append(f"{name}:{number}: {line.strip()}")
    assert found == []
