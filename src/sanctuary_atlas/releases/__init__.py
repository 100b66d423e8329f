"""Reading ICE releases: layout detection, streaming readers, value normalisation, precedence."""

from sanctuary_atlas.releases.errors import BadInputError
from sanctuary_atlas.releases.ingest import IngestResult, ingest_file, release_files

__all__ = ["BadInputError", "IngestResult", "ingest_file", "release_files"]
